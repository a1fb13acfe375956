"""No answer to a resolution notice: reminders on the configured days, then closure per policy.

The minute tick may run on several workers; each reminder and each auto-closure has a guard
token claimed in the transaction that plans it, so it happens once.
"""

from __future__ import annotations

import datetime as dt

import structlog

from bridge.domain.enums import Outcome
from bridge.domain.records import Agreement, OutcomeRecord
from bridge.domain.resolution import close, customer_accepts
from bridge.services import effects
from bridge.services.closing import links
from bridge.services.closing.closure import tell_trackers
from bridge.services.closing.notify import customer_notice
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.clocks import keep_clocks
from bridge.services.escalation.escalations import EscalationService
from bridge.services.escalation.waiting import waiting_lists
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore
from bridge.store.resolutions import Resolutions, Waiting

log = structlog.get_logger(__name__)
POLICY = "closure-policy"
NO_ANSWER = "no_answer"


class Reminders(Service):
    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def closure_tick(self, now: dt.datetime) -> int:
        """Remind or close every unanswered notice that is due; returns how many this call
        acted on."""
        policy = self.settings.closure
        with self.transactions() as session:
            waiting_notices = Resolutions(session).unanswered()
        acted = 0
        for waiting in waiting_notices:
            age = now - waiting.sent_at
            auto = policy.auto_close_after_days
            if auto is not None and age >= dt.timedelta(days=auto):
                acted += self._auto_close(waiting, auto, now)
                continue
            due = [day for day in policy.reminder_days if age >= dt.timedelta(days=day)]
            if due:
                acted += self._remind(waiting, max(due), now)
        return acted

    def _remind(self, waiting: Waiting, day: int, now: dt.datetime) -> int:
        token = f"resolution-reminder:{waiting.notice_id}:{day}"
        settings = self.settings
        with self.transactions.begin() as session:
            if not self.claim(session, token, now):
                return 0
            store = EscalationStore(session)
            loaded = self.escalations.load(store, waiting.escalation_id)
            ticket = store.ticket_of(loaded.ticket_row)
            signed = links.token_for(settings, waiting.notice_id)
            text = (
                f"A reminder about ticket {ticket.external_id}: the fix is available in "
                f"{waiting.release_ref}. Did it solve the problem?\n"
                f"Accept: {links.answer_url(settings, signed, links.ACCEPT)}\n"
                f"Still broken: {links.answer_url(settings, signed, links.STILL_BROKEN)}"
            )
            told = f"No answer from the customer after {day} days; a reminder was sent."
            helpdesk = loaded.ticket_row.helpdesk
            self.outbox.plan(
                session,
                [
                    customer_notice(helpdesk, ticket, token, text, waiting.channel),
                    effects.thread_reply(loaded.escalation.id, token, text=told),
                ],
                now,
            )
        log.info("closure.reminder_planned", notice_id=waiting.notice_id, day=day)
        return 1

    def _auto_close(self, waiting: Waiting, days: int, now: dt.datetime) -> int:
        token = f"resolution-autoclose:{waiting.notice_id}"
        with self.transactions.begin() as session:
            if not self.claim(session, token, now):
                return 0
            if not Resolutions(session).claim_answer(
                waiting.notice_id, NO_ANSWER, by=POLICY, now=now
            ):
                return 0
            store = EscalationStore(session)
            loaded = self.escalations.load(store, waiting.escalation_id)
            escalation = loaded.escalation
            ars = [
                f"{system}:{key}" for system, key in ArLinks(session).ars_of(waiting.escalation_id)
            ]
            why = f"no answer {days} days after the resolution notice; closed per policy"
            customer_accepts(
                escalation,
                monitoring_period=dt.timedelta(0),
                by=POLICY,
                cause=token,
                now=now,
            )
            outcome = OutcomeRecord(
                Outcome.BUG_IN_TRACKER,
                tracker_ref=", ".join(ars) or "-",
                resolution_indication=f"fixed in {waiting.release_ref}",
            )
            close(
                escalation,
                outcome,
                agreement=Agreement(POLICY, why, now),
                actor=POLICY,
                cause=token,
                now=now,
            )
            store.save(escalation, now)
            keep_clocks(store, loaded, now)  # closed: nothing more is owed
            ticket = store.ticket_of(loaded.ticket_row)
            note = (
                f"Outcome: bug in the tracker ({outcome.tracker_ref}), "
                f"{outcome.resolution_indication}; {why}."
            )
            goodbye = (
                f"We have not heard back about ticket {ticket.external_id}, so we are closing "
                f"it: the fix is in {waiting.release_ref}. If the problem comes back, reply here."
            )
            row = loaded.ticket_row
            planned = [
                effects.thread_reply(escalation.id, token, text=f"Closed: {why}."),
                customer_notice(row.helpdesk, ticket, token, goodbye, waiting.channel),
                *tell_trackers(session, waiting.escalation_id, token, note),
                *waiting_lists(session, self.pages, waiting.escalation_id, token, now),
                self.escalations.head_message(store, loaded, token, now),
            ]
            if self.configured(row.helpdesk):
                planned.append(
                    effects.helpdesk_note(row.helpdesk, row.external_id, token, text=note)
                )
            self.outbox.plan(session, planned, now)
        log.info("closure.auto_closed", escalation_id=waiting.escalation_id)
        return 1
