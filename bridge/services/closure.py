"""The customer's answer to a resolution notice (rules 9-10, 004).

Accept: the escalation is monitored for the agreed period, the SPAR closes, the AR is told, the
outcome is noted on the ticket. Still broken: the escalation reopens at its level and is worked
again with development. Either answer is recorded once; a second click changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge import effects
from bridge.domain.enums import EscalationState, SparStep
from bridge.domain.errors import DomainError
from bridge.domain.lifecycle import apply_spar_step
from bridge.domain.plans import activate
from bridge.domain.records import Escalation
from bridge.domain.resolution import customer_accepts, customer_rejects
from bridge.runtime import Runtime
from bridge.services.escalations import EscalationService
from bridge.services.links import ACCEPT, ANSWERS
from bridge.services.notify import channel_for, customer_notice
from bridge.services.shipped import resolution
from bridge.store import tables
from bridge.store.codec import from_json
from bridge.store.escalations import EscalationStore, Loaded
from bridge.store.outbox import SideEffect

log = structlog.get_logger(__name__)


class UnknownNotice(Exception):
    """No resolution notice has this id (the link outlived its records)."""


@dataclass(frozen=True)
class Answer:
    """What the acceptance page shows: the notice, and the answer that stands."""

    notice_id: int
    escalation_id: int
    ticket: str
    subject: str
    release_ref: str
    fix: str
    answer: str | None
    answered_at: dt.datetime | None
    recorded_now: bool = False


def read(runtime: Runtime, notice_id: int) -> Answer:
    with runtime.sessions() as session:
        return _read(session, notice_id)


def _read(session: Session, notice_id: int, recorded_now: bool = False) -> Answer:
    found = session.execute(
        select(tables.ResolutionAnswer, tables.Notice, tables.Escalation, tables.Ticket)
        .join(tables.Notice, tables.Notice.id == tables.ResolutionAnswer.notice_id)
        .join(tables.Escalation, tables.Escalation.id == tables.Notice.escalation_id)
        .join(tables.Ticket, tables.Ticket.id == tables.Notice.ticket_id)
        .where(tables.ResolutionAnswer.notice_id == notice_id)
    ).first()
    if found is None:
        raise UnknownNotice(notice_id)
    answer, notice, escalation, ticket = found
    plan = from_json(Escalation, escalation.document).accepted_plan
    return Answer(
        notice_id=notice.id,
        escalation_id=escalation.id,
        ticket=ticket.external_id,
        subject=str(ticket.document.get("subject", "")),
        release_ref=answer.release_ref,
        fix=plan.summary if plan is not None else "",
        answer=answer.answer,
        answered_at=answer.answered_at,
        recorded_now=recorded_now,
    )


def record_answer(
    runtime: Runtime, notice_id: int, answer: str, *, by: str, now: dt.datetime
) -> Answer:
    """Record the customer's answer once; a repeated or late answer returns the one that stands."""
    if answer not in ANSWERS:
        msg = f"unknown answer {answer!r}"
        raise ValueError(msg)
    with runtime.sessions.begin() as session:
        claimed = session.execute(
            update(tables.ResolutionAnswer)
            .where(
                tables.ResolutionAnswer.notice_id == notice_id,
                tables.ResolutionAnswer.answer.is_(None),
            )
            .values(answer=answer, answered_by=by, answered_at=now)
            .returning(tables.ResolutionAnswer.notice_id)
        ).first()
        if claimed is None:
            return _read(session, notice_id)
        shown = _read(session, notice_id, recorded_now=True)
        store = EscalationStore(session)
        service = EscalationService(runtime)
        loaded = service.load(store, shown.escalation_id)
        cause = f"notice:{notice_id}:{answer}"
        if loaded.escalation.state is not EscalationState.AWAITING_CUSTOMER:
            state = loaded.escalation.state.value.replace("_", " ")
            text = f"The customer answered {answer.replace('_', ' ')} on {shown.release_ref}; "
            planned = [effects.thread_reply(loaded.escalation.id, cause, text=text + state)]
        elif answer == ACCEPT:
            planned = _accepted(runtime, store, loaded, shown, by=by, cause=cause, now=now)
        else:
            planned = _still_broken(runtime, store, loaded, shown, by=by, cause=cause, now=now)
        store.save(loaded.escalation, now)
        planned.append(service.head_message(store, loaded, cause, now))
        runtime.outbox.plan(session, planned, now)
    log.info("closure.answer_recorded", notice_id=notice_id, answer=answer)
    return shown


def tell_trackers(session: Session, escalation_id: int, step: str, text: str) -> list[SideEffect]:
    """A comment on every AR the escalation waits on."""
    links = session.execute(
        select(tables.ActionRequestLink.system, tables.ActionRequestLink.external_key).where(
            tables.ActionRequestLink.escalation_id == escalation_id
        )
    )
    return [effects.tracker_comment(system, key, step, text=text) for system, key in links]


def _spar_step(
    store: EscalationStore,
    escalation: Escalation,
    steps: list[SparStep],
    *,
    by: str,
    cause: str,
    now: dt.datetime,
) -> None:
    for spar in store.spars_of(int(escalation.id)):
        for step in steps:
            try:
                apply_spar_step(spar, step, actor=by, cause=cause, now=now)
            except DomainError as exc:
                log.info("closure.spar_unchanged", spar=spar.id, error=type(exc).__name__)
                break
        store.save_spar(spar, now)


def _internal_note(loaded: Loaded, runtime: Runtime, step: str, text: str) -> list[SideEffect]:
    row = loaded.ticket_row
    if row.helpdesk not in runtime.settings.connectors.configured():
        return []
    return [effects.helpdesk_note(row.helpdesk, row.external_id, step, text=text)]


def _solve_ticket(loaded: Loaded, runtime: Runtime, step: str) -> list[SideEffect]:
    row = loaded.ticket_row
    if row.helpdesk not in runtime.settings.connectors.configured():
        return []
    return [effects.helpdesk_solve(row.helpdesk, row.external_id, step)]


def _accepted(
    runtime: Runtime,
    store: EscalationStore,
    loaded: Loaded,
    shown: Answer,
    *,
    by: str,
    cause: str,
    now: dt.datetime,
) -> list[SideEffect]:
    escalation = loaded.escalation
    period = dt.timedelta(days=runtime.settings.closure.monitoring_days)
    until = customer_accepts(escalation, monitoring_period=period, by=by, cause=cause, now=now)
    _spar_step(
        store, escalation, [SparStep.CUSTOMER_ACCEPTS, SparStep.CLOSE], by=by, cause=cause, now=now
    )
    watch = f"monitoring until {until:%Y-%m-%d}"
    thread = f"The customer accepted the fix ({shown.release_ref}). SPAR closed; {watch}."
    outcome = f"Outcome: customer satisfied — accepted the fix in {shown.release_ref}; {watch}."
    tracker = f"The customer of ticket {shown.ticket} accepted the fix in {shown.release_ref}."
    comments = tell_trackers(store.session, int(escalation.id), cause, tracker)
    return [
        effects.thread_reply(escalation.id, cause, text=thread),
        *_internal_note(loaded, runtime, cause, outcome),
        *_solve_ticket(loaded, runtime, cause),
        *comments,
        *_close_ars(runtime, comments, cause),
    ]


def _close_ars(runtime: Runtime, comments: list[SideEffect], step: str) -> list[SideEffect]:
    config = resolution(runtime)
    if not config.close_ar_on_accept:
        return []
    return [
        effects.tracker_move(c.target, c.payload["ref"], step, status=config.ar_done_status)
        for c in comments
    ]


def _still_broken(
    runtime: Runtime,
    store: EscalationStore,
    loaded: Loaded,
    shown: Answer,
    *,
    by: str,
    cause: str,
    now: dt.datetime,
) -> list[SideEffect]:
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
    channel = channel_for(runtime, loaded, ticket)
    answer_back = (
        [customer_notice(runtime, loaded.ticket_row, ticket, cause, sorry, channel)]
        if channel is not None
        else []
    )
    return [
        effects.thread_reply(escalation.id, cause, text=thread, mention=mention),
        *_internal_note(loaded, runtime, cause, f"Customer: {reason}. Escalation reopened."),
        *tell_trackers(store.session, int(escalation.id), cause, tracker),
        *answer_back,
    ]
