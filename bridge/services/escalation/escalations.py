"""Escalation commands: request, acknowledge, raise the level.

Each runs in one transaction: load, let the domain decide (it raises ``DomainError`` with a
message for the person who asked), save with the audit trail, and plan the Slack and helpdesk
side effects in the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bridge.domain.clocks import ClockEvent
from bridge.domain.enums import Level, LevelCause
from bridge.domain.errors import UnknownTicket
from bridge.domain.levels import raise_level
from bridge.domain.lifecycle import record_in_place
from bridge.domain.opening import RequestEscalation, open_escalation
from bridge.domain.records import (
    AdviceOverride,
    PreEscalationReview,
    TriageAnswers,
)
from bridge.domain.sla import TargetKind, start_clock
from bridge.domain.triage import check_review, record_review, require_complete_triage, triage
from bridge.services import effects
from bridge.services.answers import helpdesk_triage
from bridge.services.collaborators import Service
from bridge.services.escalation.advice import override_text, ticket_advice
from bridge.services.escalation.clocks import keep_clocks
from bridge.services.escalation.policy import Policy, snapshot
from bridge.services.escalation.routing import route
from bridge.services.mrkdwn import inert, mention
from bridge.services.showing.shown import TicketNamed, head_summary, shown_ticket
from bridge.store.escalations import EscalationStore, Loaded
from bridge.store.pending import PendingRequests
from bridge.store.transactions import Transaction


class EscalationNotFound(Exception):
    def __init__(self, escalation_id: int) -> None:
        super().__init__(f"no escalation {escalation_id}")


@dataclass(frozen=True)
class EscalationRequest(RequestEscalation):
    """What Slack's modal, the API or a helpdesk event asks for: the domain's command, with
    the triage answers, the pre-escalation review and the reason to override the advice when
    the requester gave them. ``ticket_ref`` may name the helpdesk (``zendesk:4711``)."""

    triage: TriageAnswers | None = None
    override_justification: str = ""
    review: PreEscalationReview | None = None


class EscalationService(Service):
    def head_message(
        self, store: EscalationStore, loaded: Loaded, step: str, now: dt.datetime
    ) -> effects.SideEffect:
        ticket = store.ticket_of(loaded.ticket_row)
        named = TicketNamed.of(loaded.ticket_row.helpdesk, ticket)
        shown = shown_ticket(store.session, self.pages, named)
        clocks = store.clocks(loaded.row.id)
        records = store.linked_records(loaded.row.id)
        channel = route(self.settings.routing, ticket).channel
        return effects.escalation_message(
            loaded.escalation.id,
            step,
            channel=channel,
            summary=head_summary(loaded.escalation, shown, clocks, records, now),
        )

    def escalate(self, request: EscalationRequest, now: dt.datetime) -> int:
        """A request from Slack or the API: refused (``TriageIncomplete`` naming each missing
        answer, ``ReviewNotPassed``) unless the triage is complete and the review answered,
        by the same domain rules on every entry point; then ``request``."""
        require_complete_triage(request.triage)
        check_review(request.review)
        return self.request(request, now)

    def escalate_from_helpdesk(
        self, request: EscalationRequest, body: bytes, now: dt.datetime
    ) -> int:
        """The ticket's type became ESCALATION: the triage answers come with the trigger
        (``"triage"`` beside ``"ticket"``, the API's keys). Refused like ``escalate``, naming
        each missing answer, unless they are complete; the helpdesk path tells support."""
        answers = require_complete_triage(helpdesk_triage(body))
        return self.request(replace(request, triage=answers), now)

    def request(self, request: EscalationRequest, now: dt.datetime) -> int:
        """Open an escalation for an existing ticket; returns its id. The entry points call
        ``escalate`` (Slack, the API) or ``escalate_from_helpdesk``, which check the answers."""
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            ticket_row = store.find_ticket(request.ticket_ref, lock=True)
            if ticket_row is None:
                raise UnknownTicket(request.ticket_ref)
            ticket = store.ticket_of(ticket_row)
            open_already = store.open_escalation_ids(ticket_row)
            policy = snapshot(self.settings, ticket.region)
            escalation_id = store.reserve_id(ticket_row, policy.snapshot, now)
            PendingRequests(session).settle(ticket_row.id, escalation_id, now)
            command = replace(request, ticket_ref=ticket.external_id)
            advice = ticket_advice(self.settings, ticket, request.reason, now)
            override = (
                AdviceOverride(request.requested_by, request.override_justification, frozenset())
                if request.override_justification.strip()
                else None
            )
            escalation, opened = open_escalation(
                command,
                ticket,
                escalation_id=str(escalation_id),
                owners=policy.owners,
                advice=advice,
                override=override,
                now=now,
                open_already=str(open_already[-1]) if open_already else None,
            )
            if request.review is not None:
                record_review(
                    escalation,
                    request.review,
                    actor=request.requested_by,
                    cause=request.cause,
                    now=now,
                )
            if request.triage is not None:
                today = now.astimezone(ZoneInfo(policy.calendar.tz)).date()
                triage(
                    escalation,
                    request.triage,
                    today=today,
                    actor=request.requested_by,
                    cause=request.cause,
                    now=now,
                )
            # Saved before its clocks, which keep the level and ticket they start under.
            store.save(escalation, now)
            store.save_ticket(ticket_row.helpdesk, ticket, now, ticket_row)
            for plan in policy.clocks_for(ticket.severity):
                clock = start_clock(
                    f"{escalation_id}:{plan.target.kind.value}",
                    str(escalation_id),
                    plan.target,
                    plan.calendar,
                    now=now,
                    at_risk_fraction=policy.at_risk_fraction,
                )
                store.save_clock(escalation_id, clock)
            loaded = store.load(escalation_id)
            assert loaded is not None
            owners = policy.level(escalation.level).owners
            named = TicketNamed.of(ticket_row.helpdesk, ticket)
            shown = shown_ticket(session, self.pages, named)
            whose = f" for {inert(shown.customer)}" if shown.customer else ""
            text = (
                f"Escalation opened for ticket {inert(shown.label)}{whose} "
                f"at level 1 ({inert(opened.owner)})"
            )
            if escalation.override is not None:
                text += f". {override_text(escalation.override)}"
            self.outbox.plan(
                session,
                [
                    self.head_message(store, loaded, "opened", now),
                    effects.thread_reply(escalation.id, "opened", text=text, mention=owners),
                    *self._helpdesk_note(
                        ticket_row.helpdesk, ticket.external_id, escalation.id, now
                    ),
                ],
                now,
            )
            return escalation_id

    def _helpdesk_note(
        self, helpdesk: str, ticket: str, escalation_id: str, now: dt.datetime
    ) -> list[effects.SideEffect]:
        if not self.configured(helpdesk):
            return []
        text = f"Escalated: escalation {escalation_id} is open for this ticket."
        return [
            effects.helpdesk_note(helpdesk, ticket, f"escalation-{escalation_id}-opened", text=text)
        ]

    def load(self, store: EscalationStore, escalation_id: int) -> Loaded:
        loaded = store.load(escalation_id)
        if loaded is None:
            raise EscalationNotFound(escalation_id)
        return loaded

    def acknowledge(self, escalation_id: int, *, by: str, cause: str, now: dt.datetime) -> None:
        """The escalation team acknowledges: the acknowledge clock is met (late or not)."""
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = self.load(store, escalation_id)
            met = keep_clocks(store, loaded, now, ClockEvent.ACKNOWLEDGED)
            late = [c.met_late for c in met if c.target.kind is TargetKind.ACKNOWLEDGE]
            note = "after the SLA" if any(late) else "within the SLA" if late else "again"
            record_in_place(
                loaded.escalation,
                "acknowledge",
                actor=by,
                cause=cause,
                now=now,
                note=note,
            )
            store.save(loaded.escalation, now)
            text = f"Acknowledged by {mention(by)} ({note})"
            self.outbox.plan(
                session,
                [
                    self.head_message(store, loaded, f"acknowledged-{cause}", now),
                    effects.thread_reply(loaded.escalation.id, f"acknowledged-{cause}", text=text),
                ],
                now,
            )

    def raise_level(
        self,
        escalation_id: int,
        *,
        by: str,
        cause: str,
        now: dt.datetime,
        why: LevelCause = LevelCause.REQUEST,
        note: str = "",
        session: Transaction | None = None,
        to: Level | None = None,
    ) -> int:
        """Move one level up (or straight ``to`` a higher one); returns the new level.
        ``session`` joins a caller's transaction."""
        if session is None:
            with self.transactions.begin() as own:
                return self.raise_level(
                    escalation_id,
                    by=by,
                    cause=cause,
                    now=now,
                    why=why,
                    note=note,
                    session=own,
                    to=to,
                )
        store = EscalationStore(session)
        loaded = self.load(store, escalation_id)
        policy = Policy(loaded.row.policy)
        raised = raise_level(
            loaded.escalation,
            policy.owners,
            cause=why,
            by=by,
            trigger=cause,
            now=now,
            note=note,
            to=to,
        )
        store.save(loaded.escalation, now)
        level = policy.level(raised.level)
        earlier = "; ".join(
            f"level {int(a.level)} {a.owner} at {a.at:%Y-%m-%d %H:%M} UTC"
            for a in raised.earlier_attempts
        )
        text = (
            f"Raised to level {int(raised.level)} ({level.role}) by {mention(by)}: {why.value}. "
            f"Earlier: {earlier}"
        )
        step = f"level-{int(raised.level)}"
        planned = [
            self.head_message(store, loaded, step, now),
            effects.thread_reply(loaded.escalation.id, step, text=text, mention=level.owners),
        ]
        if level.notify == "dm":
            planned += [
                effects.direct_message(f"{loaded.escalation.id}:{step}", user=owner, text=text)
                for owner in level.owners
            ]
        self.outbox.plan(session, planned, now)
        return int(raised.level)
