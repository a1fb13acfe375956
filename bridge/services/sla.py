"""The minute tick: breached SLA clocks raise the level, and the daily digest goes out.

Several workers may tick at once. Each due event has a guard token, claimed in the same
transaction as the action, so exactly one worker acts on it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import structlog

from bridge.domain.communication import DigestLine, daily_digest
from bridge.domain.enums import LevelCause
from bridge.domain.errors import DomainError
from bridge.domain.records import Escalation
from bridge.domain.sla import breaches
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalations import EscalationService
from bridge.store.escalations import EscalationStore

log = structlog.get_logger(__name__)
SLA_ACTOR = "sla-engine"


class SlaTicks(Service):
    """The minute hooks of the SLA engine: breaches, status reminders, the daily digest."""

    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def sla_tick(self, now: dt.datetime) -> int:
        """Raise the level once per breached clock; returns how many breaches this worker
        handled."""
        with self.transactions() as session:
            due = EscalationStore(session).running_clocks_due(now)
        handled = 0
        for evaluation in breaches([clock for _, clock in due], now):
            escalation_id = int(evaluation.subject_id)
            token = evaluation.breach_token
            assert token is not None
            with self.transactions.begin() as session:
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
                except DomainError as exc:  # at the top level, or closed meanwhile: still say so
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

    def _open_escalations(self, now: dt.datetime) -> tuple[list[Escalation], set[str]]:
        with self.transactions() as session:
            store = EscalationStore(session)
            escalations = store.escalations(excluding=("closed", "de_escalated"))
            breached = {
                escalation.id
                for escalation in escalations
                if breaches(store.clocks(int(escalation.id)), now)
            }
        return escalations, breached

    def digest_tick(self, now: dt.datetime) -> bool:
        """Post the daily digest once a day, at the configured local time; True if this call
        did."""
        config = self.settings.digest
        local = now.astimezone(ZoneInfo(config.timezone))
        hour, minute = (int(part) for part in config.time.split(":"))
        if (local.hour, local.minute) < (hour, minute):
            return False
        token = f"digest:{local.date().isoformat()}"
        if self.guards.taken(token):
            return False
        escalations, breached = self._open_escalations(now)
        digest = daily_digest(escalations, now, breached=breached)
        channel = config.channel or self.settings.routing.default_channel
        lines = [_digest_line(line) for line in digest.lines]
        text = f"Daily digest {local.date()}: {len(digest.lines)} open escalation(s)\n" + (
            "\n".join(lines)
        )
        with self.transactions.begin() as session:
            if not self.claim(session, token, now):
                return False
            self.outbox.add(session, effects.channel_post(token, channel=channel, text=text), now)
        log.info("digest.planned", open=len(digest.lines), channel=channel)
        return True


def _digest_line(line: DigestLine) -> str:
    flags = [
        flag
        for flag, on in (
            ("SLA breached", line.sla_breached),
            ("update overdue", line.update_overdue),
        )
        if on
    ]
    return (
        f"• escalation {line.escalation_id} (ticket {line.ticket_id}): {line.state.value}, "
        f"level {int(line.level)}{' — ' + ', '.join(flags) if flags else ''}"
    )
