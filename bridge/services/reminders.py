"""No answer to a resolution notice: reminders on the configured days, then closure per policy.

The minute tick may run on several workers; each reminder and each auto-closure has a guard
token claimed in the transaction that plans it, so it happens once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog
from sqlalchemy import select, update

from bridge import effects
from bridge.domain.enums import Channel, Outcome
from bridge.domain.records import Agreement, OutcomeRecord
from bridge.domain.resolution import close, customer_accepts
from bridge.runtime import Runtime, worker_identity
from bridge.services import links
from bridge.services.closure import tell_trackers
from bridge.services.escalations import EscalationService
from bridge.services.notify import customer_notice
from bridge.store import tables
from bridge.store.escalations import EscalationStore
from bridge.store.guards import Guards

log = structlog.get_logger(__name__)
POLICY = "closure-policy"
NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class Waiting:
    notice_id: int
    escalation_id: int
    release_ref: str
    channel: Channel
    sent_at: dt.datetime


def _waiting(runtime: Runtime) -> list[Waiting]:
    with runtime.sessions() as session:
        rows = session.execute(
            select(
                tables.Notice.id,
                tables.Notice.escalation_id,
                tables.ResolutionAnswer.release_ref,
                tables.Notice.channel,
                tables.Notice.created_at,
            )
            .join(tables.ResolutionAnswer, tables.ResolutionAnswer.notice_id == tables.Notice.id)
            .join(tables.Escalation, tables.Escalation.id == tables.Notice.escalation_id)
            .where(
                tables.ResolutionAnswer.answer.is_(None),
                tables.Escalation.state == "awaiting_customer",
            )
        )
        return [Waiting(n, e, ref, Channel(c), at) for n, e, ref, c, at in rows]


def closure_tick(runtime: Runtime, now: dt.datetime) -> int:
    """Remind or close every unanswered notice that is due; returns how many this call acted on."""
    policy = runtime.settings.closure
    acted = 0
    for waiting in _waiting(runtime):
        age = now - waiting.sent_at
        auto = policy.auto_close_after_days
        if auto is not None and age >= dt.timedelta(days=auto):
            acted += _auto_close(runtime, waiting, auto, now)
            continue
        due = [day for day in policy.reminder_days if age >= dt.timedelta(days=day)]
        if due:
            acted += _remind(runtime, waiting, max(due), now)
    return acted


def _remind(runtime: Runtime, waiting: Waiting, day: int, now: dt.datetime) -> int:
    token = f"resolution-reminder:{waiting.notice_id}:{day}"
    service = EscalationService(runtime)
    with runtime.sessions.begin() as session:
        if not Guards.acquire_in(session, token, worker_identity(), now):
            return 0
        store = EscalationStore(session)
        loaded = service.load(store, waiting.escalation_id)
        ticket = store.ticket_of(loaded.ticket_row)
        signed = links.token_for(runtime.settings, waiting.notice_id)
        text = (
            f"A reminder about ticket {ticket.external_id}: the fix is available in "
            f"{waiting.release_ref}. Did it solve the problem?\n"
            f"Accept: {links.answer_url(runtime.settings, signed, links.ACCEPT)}\n"
            f"Still broken: {links.answer_url(runtime.settings, signed, links.STILL_BROKEN)}"
        )
        told = f"No answer from the customer after {day} days; a reminder was sent."
        runtime.outbox.plan(
            session,
            [
                customer_notice(runtime, loaded.ticket_row, ticket, token, text, waiting.channel),
                effects.thread_reply(loaded.escalation.id, token, text=told),
            ],
            now,
        )
    log.info("closure.reminder_planned", notice_id=waiting.notice_id, day=day)
    return 1


def _auto_close(runtime: Runtime, waiting: Waiting, days: int, now: dt.datetime) -> int:
    token = f"resolution-autoclose:{waiting.notice_id}"
    service = EscalationService(runtime)
    with runtime.sessions.begin() as session:
        if not Guards.acquire_in(session, token, worker_identity(), now):
            return 0
        claimed = session.execute(
            update(tables.ResolutionAnswer)
            .where(
                tables.ResolutionAnswer.notice_id == waiting.notice_id,
                tables.ResolutionAnswer.answer.is_(None),
            )
            .values(answer=NO_ANSWER, answered_by=POLICY, answered_at=now)
            .returning(tables.ResolutionAnswer.notice_id)
        ).first()
        if claimed is None:
            return 0
        store = EscalationStore(session)
        loaded = service.load(store, waiting.escalation_id)
        escalation = loaded.escalation
        ars = [
            f"{system}:{key}"
            for system, key in session.execute(
                select(
                    tables.ActionRequestLink.system, tables.ActionRequestLink.external_key
                ).where(tables.ActionRequestLink.escalation_id == waiting.escalation_id)
            )
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
        ticket = store.ticket_of(loaded.ticket_row)
        note = (
            f"Outcome: bug in the tracker ({outcome.tracker_ref}), "
            f"{outcome.resolution_indication}; {why}."
        )
        goodbye = (
            f"We have not heard back about ticket {ticket.external_id}, so we are closing it: "
            f"the fix is in {waiting.release_ref}. If the problem comes back, reply here."
        )
        planned = [
            effects.thread_reply(escalation.id, token, text=f"Closed: {why}."),
            customer_notice(runtime, loaded.ticket_row, ticket, token, goodbye, waiting.channel),
            *tell_trackers(session, waiting.escalation_id, token, note),
            service.head_message(store, loaded, token, now),
        ]
        row = loaded.ticket_row
        if row.helpdesk in runtime.settings.connectors.configured():
            planned.append(effects.helpdesk_note(row.helpdesk, row.external_id, token, text=note))
        runtime.outbox.plan(session, planned, now)
    log.info("closure.auto_closed", escalation_id=waiting.escalation_id)
    return 1
