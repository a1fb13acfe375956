"""The customer's answer to a resolution notice (rules 9-10, 004).

Accept: the escalation is monitored for the agreed period, the SPAR closes, the AR is told, the
outcome is noted on the ticket. Still broken: the escalation reopens at its level and is worked
again with development. Either answer is recorded once; a second click changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog

from bridge.domain.clocks import ClockEvent
from bridge.domain.enums import EscalationState, SparStep
from bridge.domain.errors import DomainError
from bridge.domain.lifecycle import apply_step
from bridge.domain.plans import activate
from bridge.domain.records import Escalation
from bridge.domain.resolution import customer_accepts, customer_rejects
from bridge.services import effects
from bridge.services.closing.links import ACCEPT, ANSWERS
from bridge.services.closing.notify import channel_for, customer_notice
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation import waiting
from bridge.services.escalation.clocks import keep_clocks, told_if
from bridge.services.escalation.escalations import EscalationService
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore, Loaded
from bridge.store.outbox import SideEffect
from bridge.store.resolutions import Answer, Resolutions, UnknownNotice
from bridge.store.transactions import Transaction

__all__ = ["Answer", "Closure", "UnknownNotice", "tell_trackers"]
log = structlog.get_logger(__name__)


def tell_trackers(
    session: Transaction, escalation_id: int, step: str, text: str, quote: str = ""
) -> list[SideEffect]:
    """A comment on every AR the escalation waits on (``quote``: the customer's words)."""
    return [
        effects.tracker_comment(system, key, step, text=text, quote=quote)
        for system, key in ArLinks(session).ars_of(escalation_id)
    ]


def _spar_step(
    store: EscalationStore,
    escalation: Escalation,
    steps: list[SparStep],
    *,
    by: str,
    cause: str,
    now: dt.datetime,
) -> list[str]:
    """Take the steps on each of the escalation's SPARs; returns the ids of those that took
    them all."""
    taken = []
    for spar in store.spars_of(int(escalation.id)):
        for step in steps:
            try:
                apply_step(spar, step, actor=by, cause=cause, now=now)
            except DomainError as exc:
                log.info("closure.spar_unchanged", spar=spar.id, error=type(exc).__name__)
                break
        else:
            taken.append(spar.id)
        store.save_spar(spar, now)
    return taken


@dataclass(frozen=True)
class Answering:
    """One answer being recorded, inside its transaction."""

    store: EscalationStore
    loaded: Loaded
    shown: Answer
    by: str
    cause: str
    now: dt.datetime


class Closure(Service):
    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def read(self, notice_id: int) -> Answer:
        with self.transactions() as session:
            return Resolutions(session).answer(notice_id)

    def record_answer(self, notice_id: int, answer: str, *, by: str, now: dt.datetime) -> Answer:
        """Record the customer's answer once; a repeated or late answer returns the one that
        stands."""
        if answer not in ANSWERS:
            msg = f"unknown answer {answer!r}"
            raise ValueError(msg)
        with self.transactions.begin() as session:
            resolutions = Resolutions(session)
            if not resolutions.claim_answer(notice_id, answer, by=by, now=now):
                return resolutions.answer(notice_id)
            shown = resolutions.answer(notice_id, recorded_now=True)
            store = EscalationStore(session)
            loaded = self.escalations.load(store, shown.escalation_id)
            before = loaded.escalation.state
            cause = f"notice:{notice_id}:{answer}"
            answering = Answering(store, loaded, shown, by, cause, now)
            if loaded.escalation.state is not EscalationState.AWAITING_CUSTOMER:
                state = loaded.escalation.state.value.replace("_", " ")
                text = f"The customer answered {answer.replace('_', ' ')} on {shown.release_ref}; "
                planned = [effects.thread_reply(loaded.escalation.id, cause, text=text + state)]
            elif answer == ACCEPT:
                planned = self._accepted(answering)
            else:
                planned = self._still_broken(answering)
            store.save(loaded.escalation, now)
            planned.append(self.escalations.head_message(store, loaded, cause, now))
            after = loaded.escalation.state
            planned += waiting.if_changed(
                session, self.pages, shown.escalation_id, before, after, cause, now
            )
            self.outbox.plan(session, planned, now)
        log.info("closure.answer_recorded", notice_id=notice_id, answer=answer)
        return shown

    def _internal_note(self, loaded: Loaded, step: str, text: str) -> list[SideEffect]:
        row = loaded.ticket_row
        if not self.configured(row.helpdesk):
            return []
        return [effects.helpdesk_note(row.helpdesk, row.external_id, step, text=text)]

    def _solve_ticket(self, loaded: Loaded, step: str) -> list[SideEffect]:
        row = loaded.ticket_row
        if not self.configured(row.helpdesk):
            return []
        return [effects.helpdesk_solve(row.helpdesk, row.external_id, step)]

    def _accepted(self, answering: Answering) -> list[SideEffect]:
        store, loaded, shown = answering.store, answering.loaded, answering.shown
        by, cause, now = answering.by, answering.cause, answering.now
        escalation = loaded.escalation
        period = dt.timedelta(days=self.settings.closure.monitoring_days)
        until = customer_accepts(escalation, monitoring_period=period, by=by, cause=cause, now=now)
        closing = [SparStep.CUSTOMER_ACCEPTS, SparStep.CLOSE]
        closed = _spar_step(store, escalation, closing, by=by, cause=cause, now=now)
        watch = f"monitoring until {until:%Y-%m-%d}"
        thread = f"The customer accepted the fix ({shown.release_ref}). SPAR closed; {watch}."
        outcome = f"Outcome: customer satisfied — accepted the fix in {shown.release_ref}; {watch}."
        tracker = f"The customer of ticket {shown.ticket} accepted the fix in {shown.release_ref}."
        comments = tell_trackers(store.session, int(escalation.id), cause, tracker)
        keep_clocks(store, loaded, now)  # monitored: nothing more is owed
        return [
            effects.thread_reply(escalation.id, cause, text=thread),
            *self._internal_note(loaded, cause, outcome),
            *self._solve_ticket(loaded, cause),
            *comments,
            *self._close_ars(comments, cause),
            *self._close_spars(store, int(escalation.id), closed, cause),
        ]

    def _close_spars(
        self, store: EscalationStore, escalation_id: int, closed: list[str], step: str
    ) -> list[SideEffect]:
        """The SPAR closes in its tracker too: each SPAR this answer closed is moved to
        ``resolution.spar_done_status`` (a GitHub issue is closed)."""
        status = self.settings.resolution.spar_done_status
        if not status:
            return []
        return [
            effects.tracker_move(record.system, record.key, step, status=status)
            for record in store.tracker_records(escalation_id, "spar")
            if record.spar_id in closed and self.configured(record.system)
        ]

    def _close_ars(self, comments: list[SideEffect], step: str) -> list[SideEffect]:
        config = self.settings.resolution
        if not config.close_ar_on_accept:
            return []
        return [
            effects.tracker_move(c.target, c.payload["ref"], step, status=config.ar_done_status)
            for c in comments
        ]

    def _still_broken(self, answering: Answering) -> list[SideEffect]:
        store, loaded, shown = answering.store, answering.loaded, answering.shown
        by, cause, now = answering.by, answering.cause, answering.now
        escalation = loaded.escalation
        reason = f"still broken after {shown.release_ref}"
        customer_rejects(escalation, by=by, reason=reason, cause=cause, now=now)
        engineer = escalation.engineer or "unassigned"
        activate(escalation, engineer=engineer, actor="support-bridge", cause=cause, now=now)
        _spar_step(store, escalation, [SparStep.CUSTOMER_REJECTS], by=by, cause=cause, now=now)
        level = int(escalation.level)
        thread = (
            f":rotating_light: The customer says the problem is still broken after "
            f"{shown.release_ref}. Escalation reopened at level {level}; agree a new action plan "
            "with development."
        )
        mention = [escalation.engineer] if escalation.engineer else []
        tracker = (
            f"The customer of ticket {shown.ticket} reports the problem is still broken after "
            f"{shown.release_ref}. Support has reopened the escalation; a new plan is needed."
        )
        sorry = (
            f"Thank you for telling us. We have reopened your case ({shown.ticket}) and the "
            "escalation team is working with development on a new plan; we will update you here."
        )
        ticket = store.ticket_of(loaded.ticket_row)
        helpdesk = loaded.ticket_row.helpdesk
        channel = channel_for(self.settings.connectors.configured(), helpdesk, ticket)
        answer_back = (
            [customer_notice(helpdesk, ticket, cause, sorry, channel)]
            if channel is not None
            else []
        )
        reopened = f"Customer: {reason}. Escalation reopened."
        keep_clocks(store, loaded, now, ClockEvent.CUSTOMER_WROTE, *told_if(answer_back))
        return [
            effects.thread_reply(escalation.id, cause, text=thread, mention=mention),
            *self._internal_note(loaded, cause, reopened),
            *tell_trackers(store.session, int(escalation.id), cause, tracker),
            *answer_back,
        ]
