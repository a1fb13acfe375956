"""The minute tick: breached SLA clocks raise the level, and the daily digest goes out.

Several workers may tick at once. Each due event has a guard token, claimed in the same
transaction as the action, so exactly one worker acts on it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select

from bridge import effects
from bridge.domain.communication import DigestLine, daily_digest
from bridge.domain.enums import LevelCause
from bridge.domain.errors import DomainError
from bridge.domain.records import Escalation
from bridge.domain.sla import breaches
from bridge.runtime import Runtime, worker_identity
from bridge.services.escalations import EscalationService
from bridge.store import tables
from bridge.store.codec import from_json
from bridge.store.escalations import EscalationStore
from bridge.store.guards import Guards

log = structlog.get_logger(__name__)
SLA_ACTOR = "sla-engine"


def sla_tick(runtime: Runtime, now: dt.datetime) -> int:
    """Raise the level once per breached clock; returns how many breaches this worker handled."""
    with runtime.sessions() as session:
        due = EscalationStore(session).running_clocks_due(now)
    handled = 0
    service = EscalationService(runtime)
    for evaluation in breaches([clock for _, clock in due], now):
        escalation_id = int(evaluation.subject_id)
        token = evaluation.breach_token
        assert token is not None
        with runtime.sessions.begin() as session:
            if not Guards.acquire_in(session, token, worker_identity(), now):
                continue
            note = f"{evaluation.clock_id} was due {evaluation.due_at:%Y-%m-%d %H:%M} UTC"
            try:
                service.raise_level(
                    escalation_id,
                    by=SLA_ACTOR,
                    cause=token,
                    now=now,
                    why=LevelCause.SLA_BREACH,
                    note=note,
                    session=session,
                )
            except DomainError as exc:  # at the top level, or closed meanwhile: still say so
                runtime.outbox.add(
                    session,
                    effects.thread_reply(
                        str(escalation_id), token, text=f"SLA breached: {note}. {exc}"
                    ),
                    now,
                )
            handled += 1
            log.info("sla.breach_handled", escalation_id=escalation_id, clock=evaluation.clock_id)
    return handled


def status_reminders(runtime: Runtime, now: dt.datetime) -> int:
    """Remind the thread once per due status update of a communication plan (rule 8)."""
    with runtime.sessions() as session:
        due = [
            (row.id, row.next_update_due, row.engineer)
            for row in EscalationStore(session).updates_due(now)
        ]
    reminded = 0
    for escalation_id, due_at, engineer in due:
        assert due_at is not None
        token = f"status-due:{escalation_id}:{due_at.isoformat()}"
        with runtime.sessions.begin() as session:
            if not Guards.acquire_in(session, token, worker_identity(), now):
                continue
            text = f"A status update to the customer was due {due_at:%Y-%m-%d %H:%M} UTC."
            mention = [engineer] if engineer else []
            runtime.outbox.add(
                session,
                effects.thread_reply(str(escalation_id), token, text=text, mention=mention),
                now,
            )
            reminded += 1
    return reminded


def _open_escalations(runtime: Runtime, now: dt.datetime) -> tuple[list[Escalation], set[str]]:
    closed = ("closed", "de_escalated")
    with runtime.sessions() as session:
        rows = session.scalars(
            select(tables.Escalation).where(tables.Escalation.state.not_in(closed))
        ).all()
        escalations = [from_json(Escalation, row.document) for row in rows if row.document]
        store = EscalationStore(session)
        breached = {
            escalation.id
            for escalation in escalations
            if breaches(store.clocks(int(escalation.id)), now)
        }
    return escalations, breached


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


def digest_tick(runtime: Runtime, now: dt.datetime) -> bool:
    """Post the daily digest once a day, at the configured local time; True if this call did."""
    config = runtime.settings.digest
    local = now.astimezone(ZoneInfo(config.timezone))
    hour, minute = (int(part) for part in config.time.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return False
    token = f"digest:{local.date().isoformat()}"
    if runtime.guards.taken(token):
        return False
    escalations, breached = _open_escalations(runtime, now)
    digest = daily_digest(escalations, now, breached=breached)
    channel = config.channel or runtime.settings.routing.default_channel
    lines = [_digest_line(line) for line in digest.lines]
    text = f"Daily digest {local.date()}: {len(digest.lines)} open escalation(s)\n" + "\n".join(
        lines
    )
    with runtime.sessions.begin() as session:
        if not Guards.acquire_in(session, token, worker_identity(), now):
            return False
        runtime.outbox.add(session, effects.channel_post(token, channel=channel, text=text), now)
    log.info("digest.planned", open=len(digest.lines), channel=channel)
    return True


def register(runtime: Runtime) -> None:
    runtime.performers.every_minute("sla_tick", lambda now: sla_tick(runtime, now))
    runtime.performers.every_minute("daily_digest", lambda now: digest_tick(runtime, now))
    runtime.performers.every_minute("status_reminders", lambda now: status_reminders(runtime, now))
