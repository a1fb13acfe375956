"""The minute tick: breached SLA clocks raise the level, and the daily digest goes out.

Several workers may tick at once. Each due event has a guard token, claimed in the same
transaction as the action, so exactly one worker acts on it.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import structlog

from bridge.config.calendar_builder import calendar_from_config
from bridge.config.policy import CalendarConfig
from bridge.domain.calendar import BusinessCalendar
from bridge.domain.clocks import describe, latest
from bridge.domain.communication import DigestLine, daily_digest
from bridge.domain.enums import LevelCause
from bridge.domain.errors import DomainError
from bridge.domain.records import Escalation
from bridge.domain.sla import SlaClock, SlaStatus, breaches, evaluate
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.clocks import keep_clocks
from bridge.services.escalation.escalations import EscalationService
from bridge.services.mrkdwn import inert, mention
from bridge.services.showing.shown import (
    ShownTicket,
    TicketNamed,
    classification_label,
    severity_label,
    shown_tickets,
)
from bridge.store.escalations import EscalationStore
from bridge.store.names import escalation_tickets

log = structlog.get_logger(__name__)
SLA_ACTOR = "sla-engine"


class SlaTicks(Service):
    """The minute hooks of the SLA engine: breaches, status reminders, the daily digest."""

    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def sla_tick(self, now: dt.datetime) -> int:
        """Raise the level once per breached clock; returns how many breaches this worker
        handled. A clock whose escalation has since been resolved, or waits on the customer,
        follows the escalation first and does not breach."""
        self.waits_over(now)
        with self.transactions() as session:
            due = EscalationStore(session).running_clocks_due(now)
        handled = 0
        for evaluation in breaches([clock for _, clock in due], now):
            escalation_id = int(evaluation.subject_id)
            token = evaluation.breach_token
            assert token is not None
            with self.transactions.begin() as session:
                store = EscalationStore(session)
                if not self._still_breached(store, escalation_id, evaluation.clock_id, now):
                    continue
                if not self.claim(session, token, now):
                    continue
                note = f"{evaluation.clock_id} was due {evaluation.due_at:%Y-%m-%d %H:%M} UTC"
                try:
                    self.escalations.raise_level(
                        escalation_id,
                        by=SLA_ACTOR,
                        cause=token,
                        now=now,
                        why=LevelCause.SLA_BREACH,
                        note=note,
                        session=session,
                    )
                except DomainError as exc:  # at the top level already: still say so, once
                    self.outbox.add(
                        session,
                        effects.thread_reply(
                            str(escalation_id), token, text=f"SLA breached: {note}. {exc}"
                        ),
                        now,
                    )
                handled += 1
                log.info(
                    "sla.breach_handled", escalation_id=escalation_id, clock=evaluation.clock_id
                )
        return handled

    def _still_breached(
        self, store: EscalationStore, escalation_id: int, clock_id: str, now: dt.datetime
    ) -> bool:
        """Bring the escalation's clocks in line with it, then ask whether the clock breached."""
        loaded = store.load(escalation_id)
        if loaded is None:
            return False
        keep_clocks(store, loaded, now)
        clock = next((c for c in store.clocks(escalation_id) if c.id == clock_id), None)
        return clock is not None and evaluate(clock, now).status is SlaStatus.BREACHED

    def waits_over(self, now: dt.datetime) -> int:
        """Resume the clocks of escalations whose agreed wait on the customer has ended;
        returns how many."""
        with self.transactions() as session:
            paused = EscalationStore(session).paused_clock_owners()
        resumed = 0
        for escalation_id in paused:
            with self.transactions.begin() as session:
                store = EscalationStore(session)
                loaded = store.load(escalation_id)
                until = loaded.escalation.waiting_until if loaded else None
                if loaded is None or until is None or until > now:
                    continue
                if not keep_clocks(store, loaded, now):
                    continue
                step = f"wait-over:{until.isoformat()}"
                text = f"The agreed wait on the customer ended {until:%a %d %b %H:%M} UTC."
                self.outbox.plan(
                    session,
                    [
                        self.escalations.head_message(store, loaded, step, now),
                        effects.thread_reply(loaded.escalation.id, step, text=text),
                    ],
                    now,
                )
                resumed += 1
        return resumed

    def status_reminders(self, now: dt.datetime) -> int:
        """Remind the thread once per due status update of a communication plan (rule 8)."""
        with self.transactions() as session:
            due = [
                (row.id, row.next_update_due, row.engineer)
                for row in EscalationStore(session).updates_due(now)
            ]
        reminded = 0
        for escalation_id, due_at, engineer in due:
            assert due_at is not None
            token = f"status-due:{escalation_id}:{due_at.isoformat()}"
            with self.transactions.begin() as session:
                if not self.claim(session, token, now):
                    continue
                text = f"A status update to the customer was due {due_at:%Y-%m-%d %H:%M} UTC."
                mention = [engineer] if engineer else []
                self.outbox.add(
                    session,
                    effects.thread_reply(str(escalation_id), token, text=text, mention=mention),
                    now,
                )
                reminded += 1
        return reminded

    def _open_escalations(
        self, now: dt.datetime
    ) -> tuple[list[Escalation], set[str], dict[str, list[SlaClock]], dict[str, ShownTicket]]:
        with self.transactions() as session:
            store = EscalationStore(session)
            escalations = store.escalations(excluding=("closed", "de_escalated"))
            clocks = {escalation.id: store.clocks(int(escalation.id)) for escalation in escalations}
            tickets = escalation_tickets(session, [int(e.id) for e in escalations])
            named = [
                TicketNamed(
                    helpdesk,
                    str(document.get("external_id") or ""),
                    str(document.get("subject") or ""),
                    str(document.get("organisation") or ""),
                    str(document.get("requester") or ""),
                    int(document["severity"]) if document.get("severity") else None,
                )
                for helpdesk, document in tickets.values()
            ]
            shown = dict(
                zip(
                    (str(key) for key in tickets),
                    shown_tickets(session, self.pages, named),
                    strict=True,
                )
            )
        breached = {key for key, found in clocks.items() if breaches(found, now)}
        return escalations, breached, clocks, shown

    def _business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a business day of the digest's calendar (not a weekend or a
        holiday); an always-open calendar has no day off."""
        settings = self.settings
        name = settings.digest.calendar or settings.sla.default_calendar
        calendar = _calendar(name, settings.calendars[name].model_dump_json())
        return calendar.always_open or bool(calendar.intervals(day))

    def digest_tick(self, now: dt.datetime) -> bool:
        """Post the daily digest once per business day, at the configured local time; True if
        this call did. Every worker may tick: the day's guard token decides which one posts."""
        config = self.settings.digest
        local = now.astimezone(ZoneInfo(config.timezone))
        hour, minute = (int(part) for part in config.time.split(":"))
        if (local.hour, local.minute) < (hour, minute) or not self._business_day(local.date()):
            return False
        token = f"digest:{local.date().isoformat()}"
        if self.guards.taken(token):
            return False
        escalations, breached, clocks, tickets = self._open_escalations(now)
        digest = daily_digest(escalations, now, breached=breached)
        channel = config.channel or self.settings.routing.default_channel
        lines = [
            _digest_line(
                line, tickets.get(line.escalation_id), clocks.get(line.escalation_id, []), now
            )
            for line in digest.lines
        ]
        text = f"Daily digest {local.date()}: {len(digest.lines)} open escalation(s)\n" + (
            "\n".join(lines)
        )
        with self.transactions.begin() as session:
            if not self.claim(session, token, now):
                return False
            self.outbox.add(session, effects.channel_post(token, channel=channel, text=text), now)
        log.info("digest.planned", open=len(digest.lines), channel=channel)
        return True


@functools.lru_cache(maxsize=16)
def _calendar(name: str, config: str) -> BusinessCalendar:
    """The calendar built once per configuration (holidays are looked up when built)."""
    return calendar_from_config(name, CalendarConfig.model_validate_json(config))


def _when(at: dt.datetime) -> str:
    return f"{at.astimezone(dt.UTC):%a %d %b %H:%M} UTC"


def _ticket(line: DigestLine, shown: ShownTicket | None) -> str:
    """The ticket linked to the helpdesk's agent view, its subject, customer, severity and
    classification; all of it outside text, made inert."""
    if shown is None:
        return f"ticket {inert(line.ticket_id)}"
    number = inert(shown.ticket)
    linked = f"<{inert(shown.url)}|{number}>" if shown.url else number
    said = f"ticket {linked}" + (f" {inert(shown.subject)}" if shown.subject else "")
    if shown.who:
        said += f" · {inert(shown.who)}"
    if shown.severity is not None:
        said += f" · severity {severity_label(shown.severity)}"
    if line.classification is not None:
        said += f" · *{classification_label(line.classification.value)}*"
    return said


def _digest_line(
    line: DigestLine, ticket: ShownTicket | None, clocks: list[SlaClock], now: dt.datetime
) -> str:
    """One escalation: its ticket as people know it, level, state, engineer (a mention: Slack
    shows the name), each clock as it stands and what is overdue."""
    evaluations = [(clock.target.kind.value, evaluate(clock, now)) for clock in clocks]
    overdue = [
        f"{kind} SLA breached" + (f" (due {_when(e.due_at)})" if e.due_at else "")
        for kind, e in evaluations
        if e.status is SlaStatus.BREACHED
    ]
    if line.update_overdue and line.next_update_due is not None:
        overdue.append(f"status update (due {_when(line.next_update_due)})")
    shown = "; ".join(
        f"{kind.value} {describe(clock, now)}" for kind, clock in latest(clocks).items()
    )
    return (
        f"• escalation {line.escalation_id} ({_ticket(line, ticket)}): "
        f"level {int(line.level)}, {line.state.value}, "
        f"engineer {mention(line.engineer) if line.engineer else 'unassigned'}, "
        f"SLA: {shown or 'no clock'}, overdue: {'; '.join(overdue) if overdue else 'nothing'}"
    )
