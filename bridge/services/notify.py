"""One escalation hears that its fix shipped: the domain decides, the notice row makes it once.

"Fixed in code" moves the escalation to fix_shipped and tells support only. "Fix available"
sends the customer one resolution notice per release, through the helpdesk's public reply (or
email where the ticket has no helpdesk), with Accept / Still broken links.
"""

from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy import select

from bridge import effects
from bridge.domain.enums import Channel, EscalationState, NoticeKind, SparState, SparStep
from bridge.domain.errors import DomainError
from bridge.domain.lifecycle import apply_spar_step
from bridge.domain.plans import record_plan_on_spar, ship_fix
from bridge.domain.records import Escalation, Notice, Ticket
from bridge.domain.resolution import notify_customer
from bridge.runtime import Runtime
from bridge.services import links
from bridge.services.escalations import EscalationService
from bridge.store import tables
from bridge.store.escalations import EscalationStore, Loaded
from bridge.store.outbox import SideEffect
from bridge.store.upsert import insert_ignoring_conflict

log = structlog.get_logger(__name__)
ACTOR = "support-bridge"


def customer_text(
    escalation: Escalation, ticket: Ticket, ref: str, accept: str, broken: str
) -> str:
    plan = escalation.accepted_plan
    step = f"\n\nWhat to do: {plan.summary}" if plan is not None else ""
    return (
        f"Good news: the fix for your ticket {ticket.external_id} ({ticket.subject}) is "
        f"available in {ref}.{step}\n\n"
        f"Does it solve the problem? Please tell us with one click:\n"
        f"Accept: {accept}\nStill broken: {broken}"
    )


def channel_for(runtime: Runtime, loaded: Loaded, ticket: Ticket) -> Channel | None:
    configured = runtime.settings.connectors.configured()
    if loaded.ticket_row.helpdesk in configured:
        return Channel.HELPDESK_PUBLIC_REPLY
    if "email" in configured and ticket.requester:
        return Channel.EMAIL
    return None


def _solution_available(store: EscalationStore, escalation: Escalation, now: dt.datetime) -> None:
    """The SPAR's solution is available (004); a plan accepted outside the SPAR joins it now."""
    for spar in store.spars_of(int(escalation.id)):
        plan = escalation.accepted_plan
        try:
            if spar.state is SparState.AR_FILED and plan is not None:
                record_plan_on_spar(spar, plan, actor=ACTOR, cause="fix-shipped", now=now)
            if spar.state is SparState.PLAN:
                apply_spar_step(
                    spar, SparStep.MAKE_SOLUTION_AVAILABLE, actor=ACTOR, cause="fix", now=now
                )
        except DomainError as exc:
            log.info("notify.spar_unchanged", spar=spar.id, error=type(exc).__name__)
        store.save_spar(spar, now)


def _send_notice(
    runtime: Runtime,
    store: EscalationStore,
    loaded: Loaded,
    ticket: Ticket,
    ref: str,
    now: dt.datetime,
) -> list[SideEffect]:
    escalation, row = loaded.escalation, loaded.ticket_row
    channel = channel_for(runtime, loaded, ticket)
    if channel is None:
        text = f"{ref} is available, but ticket {ticket.external_id} has no helpdesk or email."
        return [effects.thread_reply(escalation.id, f"unreachable:{ref}", text=text)]
    notice = Notice(
        escalation.id,
        ticket.external_id,
        NoticeKind.RESOLUTION,
        channel,
        ticket.requester,
        now,
        subject_ref=ref,
    )
    values = {
        "idempotency_key": notice.key,
        "escalation_id": int(escalation.id),
        "ticket_id": row.id,
        "kind": notice.kind.value,
        "channel": channel.value,
        "status": "planned",
        "sent_at": now,
        "created_at": now,
    }
    notice_id = insert_ignoring_conflict(store.session, tables.Notice, values, ["idempotency_key"])
    if notice_id is None:
        return []  # this ticket already has its notice for this release
    store.session.add(tables.ResolutionAnswer(notice_id=notice_id, release_ref=ref))
    notify_customer(escalation, actor=ACTOR, cause=f"notice:{notice_id}", now=now)
    _solution_available(store, escalation, now)
    token = links.token_for(runtime.settings, notice_id)
    accept = links.answer_url(runtime.settings, token, links.ACCEPT)
    broken = links.answer_url(runtime.settings, token, links.STILL_BROKEN)
    text = customer_text(escalation, ticket, ref, accept, broken)
    told = f"The customer was told that the fix is available in {ref}; waiting for the answer."
    planned = [
        customer_notice(runtime, row, ticket, f"resolution:{notice_id}", text, channel),
        effects.thread_reply(escalation.id, f"notified:{ref}", text=told),
    ]
    log.info("notify.resolution_planned", escalation_id=escalation.id, notice_id=notice_id)
    return planned


def customer_notice(
    runtime: Runtime,
    row: tables.Ticket,
    ticket: Ticket,
    step: str,
    text: str,
    channel: Channel,
) -> SideEffect:
    if channel is Channel.HELPDESK_PUBLIC_REPLY:
        return effects.helpdesk_note(row.helpdesk, row.external_id, step, text=text, public=True)
    context = {"ticket": ticket.external_id, "customer_name": ticket.requester, "message": text}
    return effects.email(step, to=ticket.requester, template="customer_notice", context=context)


def _notified(store: EscalationStore, escalation: Escalation, ref: str) -> bool:
    key = Notice(
        escalation.id,
        "",
        NoticeKind.RESOLUTION,
        Channel.EMAIL,
        "",
        dt.datetime.min,
        subject_ref=ref,
    ).key
    found = store.session.scalars(
        select(tables.Notice.id).where(tables.Notice.idempotency_key == key)
    ).first()
    return found is not None


def notify_waiting(
    runtime: Runtime, escalation_id: int, *, ar: str, ref: str, available: bool, now: dt.datetime
) -> None:
    service = EscalationService(runtime)
    with runtime.sessions.begin() as session:
        store = EscalationStore(session)
        loaded = service.load(store, escalation_id)
        escalation = loaded.escalation
        ticket = store.ticket_of(loaded.ticket_row)
        before = escalation.state
        if available and _notified(store, escalation, ref):
            return  # an old release seen again (a later event on the AR) is not news
        if before is EscalationState.PLAN_ACCEPTED:
            ship_fix(escalation, actor=ACTOR, cause=ar, now=now, note=ref)
        if not available:
            planned = _fixed_in_code(runtime, loaded, ar, ref)
        elif escalation.state is EscalationState.FIX_SHIPPED:
            planned = _send_notice(runtime, store, loaded, ticket, ref, now)
        else:
            state = escalation.state.value.replace("_", " ")
            text = f"{ref} ships {ar}, but this escalation is {state}: no notice was sent."
            planned = [effects.thread_reply(escalation.id, f"shipped:{ref}", text=text)]
        if escalation.state is not before:
            store.save(escalation, now)
            planned.append(service.head_message(store, loaded, f"shipped:{ref}", now))
        runtime.outbox.plan(session, planned, now)


def _fixed_in_code(runtime: Runtime, loaded: Loaded, ar: str, ref: str) -> list[SideEffect]:
    """Support hears of it (thread, internal note); the customer does not, yet."""
    text = f"Fixed in code: {ref} ({ar}). The customer hears of it when the fix is released."
    planned = [effects.thread_reply(loaded.escalation.id, f"fixed:{ref}", text=text)]
    row = loaded.ticket_row
    if row.helpdesk in runtime.settings.connectors.configured():
        planned.append(
            effects.helpdesk_note(row.helpdesk, row.external_id, f"fixed:{ref}", text=text)
        )
    return planned
