"""One escalation hears that its fix shipped: the domain decides, the notice row makes it once.

"Fixed in code" moves the escalation to fix_shipped and tells support only. "Fix available"
sends the customer one resolution notice per release, through the helpdesk's public reply (or
email where the ticket has no helpdesk), with Accept / Still broken links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import structlog

from bridge.domain.clocks import ClockEvent
from bridge.domain.contacts import NOT_ONE_ADDRESS, single_address
from bridge.domain.enums import Channel, EscalationState, NoticeKind, SparState, SparStep
from bridge.domain.errors import DomainError
from bridge.domain.lifecycle import apply_step
from bridge.domain.plans import record_plan_on_spar, ship_fix
from bridge.domain.records import Escalation, Notice, Ticket
from bridge.domain.resolution import notify_customer
from bridge.services import effects
from bridge.services.closing import links
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.clocks import keep_clocks, told_if
from bridge.services.escalation.escalations import EscalationService
from bridge.store.escalations import EscalationStore, Loaded
from bridge.store.outbox import SideEffect
from bridge.store.resolutions import Resolutions

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


def channel_for(configured: Collection[str], helpdesk: str, ticket: Ticket) -> Channel | None:
    """How the customer of ``ticket`` is reached, given the configured connectors: by mail
    only to exactly one valid address (``single_address``), never to a list."""
    if helpdesk in configured:
        return Channel.HELPDESK_PUBLIC_REPLY
    if "email" in configured and single_address(ticket.requester) is not None:
        return Channel.EMAIL
    return None


def unreachable(ticket: Ticket, configured: Collection[str]) -> str:
    """Why the customer of ``ticket`` cannot be told, for support (no customer text in it)."""
    if "email" in configured and ticket.requester:
        return (
            f"ticket {ticket.external_id}'s {NOT_ONE_ADDRESS}, so no notice was mailed "
            "(a list of addresses would hand the answer links to whoever clicks first). "
            "Tell the customer yourself, or correct the requester in the helpdesk"
        )
    return f"ticket {ticket.external_id} has no helpdesk or email"


def customer_notice(
    helpdesk: str, ticket: Ticket, step: str, text: str, channel: Channel
) -> SideEffect:
    if channel is Channel.HELPDESK_PUBLIC_REPLY:
        return effects.helpdesk_note(helpdesk, ticket.external_id, step, text=text, public=True)
    to = single_address(ticket.requester)
    assert to is not None, "channel_for() mails only one valid address"
    context = {"ticket": ticket.external_id, "customer_name": to, "message": text}
    return effects.email(step, to=to, template="customer_notice", context=context)


def _solution_available(store: EscalationStore, escalation: Escalation, now: dt.datetime) -> None:
    """The SPAR's solution is available (004); a plan accepted outside the SPAR joins it now."""
    for spar in store.spars_of(int(escalation.id)):
        plan = escalation.accepted_plan
        try:
            if spar.state is SparState.AR_FILED and plan is not None:
                record_plan_on_spar(spar, plan, actor=ACTOR, cause="fix-shipped", now=now)
            if spar.state is SparState.PLAN:
                apply_step(
                    spar, SparStep.MAKE_SOLUTION_AVAILABLE, actor=ACTOR, cause="fix", now=now
                )
        except DomainError as exc:
            log.info("notify.spar_unchanged", spar=spar.id, error=type(exc).__name__)
        store.save_spar(spar, now)


def _resolution_notice_key(escalation: Escalation, ref: str) -> str:
    return Notice(
        escalation.id,
        "",
        NoticeKind.RESOLUTION,
        Channel.EMAIL,
        "",
        dt.datetime.min,
        subject_ref=ref,
    ).key


class Notifier(Service):
    """Tells one escalation waiting on an AR that the fix shipped."""

    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def notify_waiting(
        self, escalation_id: int, *, ar: str, ref: str, available: bool, now: dt.datetime
    ) -> None:
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = self.escalations.load(store, escalation_id)
            escalation = loaded.escalation
            ticket = store.ticket_of(loaded.ticket_row)
            before = escalation.state
            if available and Resolutions(session).has_notice(
                _resolution_notice_key(escalation, ref)
            ):
                return  # an old release seen again (a later event on the AR) is not news
            if before is EscalationState.PLAN_ACCEPTED:
                ship_fix(escalation, actor=ACTOR, cause=ar, now=now, note=ref)
            if not available:
                planned = self._fixed_in_code(loaded, ar, ref)
            elif escalation.state is EscalationState.FIX_SHIPPED:
                planned = self._send_notice(store, loaded, ticket, ref, now)
            else:
                state = escalation.state.value.replace("_", " ")
                text = f"{ref} ships {ar}, but this escalation is {state}: no notice was sent."
                planned = [effects.thread_reply(escalation.id, f"shipped:{ref}", text=text)]
            fix = (ClockEvent.FIX_AVAILABLE,) if available else ()
            changed = keep_clocks(store, loaded, now, *fix, *told_if(planned))
            if escalation.state is not before or changed:
                store.save(escalation, now)
                planned.append(self.escalations.head_message(store, loaded, f"shipped:{ref}", now))
            self.outbox.plan(session, planned, now)

    def _send_notice(
        self,
        store: EscalationStore,
        loaded: Loaded,
        ticket: Ticket,
        ref: str,
        now: dt.datetime,
    ) -> list[SideEffect]:
        escalation, row = loaded.escalation, loaded.ticket_row
        settings = self.settings
        configured = settings.connectors.configured()
        channel = channel_for(configured, row.helpdesk, ticket)
        if channel is None:
            text = f"{ref} is available, but {unreachable(ticket, configured)}."
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
        notice_id = Resolutions(store.session).plan_notice(notice, row.id, now)
        if notice_id is None:
            return []  # this ticket already has its notice for this release
        notify_customer(escalation, actor=ACTOR, cause=f"notice:{notice_id}", now=now)
        _solution_available(store, escalation, now)
        token = links.token_for(settings, notice_id)
        accept = links.answer_url(settings, token, links.ACCEPT)
        broken = links.answer_url(settings, token, links.STILL_BROKEN)
        text = customer_text(escalation, ticket, ref, accept, broken)
        told = f"The customer was told that the fix is available in {ref}; waiting for the answer."
        planned = [
            customer_notice(row.helpdesk, ticket, f"resolution:{notice_id}", text, channel),
            effects.thread_reply(escalation.id, f"notified:{ref}", text=told),
        ]
        log.info("notify.resolution_planned", escalation_id=escalation.id, notice_id=notice_id)
        return planned

    def _fixed_in_code(self, loaded: Loaded, ar: str, ref: str) -> list[SideEffect]:
        """Support hears of it (thread, internal note); the customer does not, yet."""
        text = f"Fixed in code: {ref} ({ar}). The customer hears of it when the fix is released."
        planned = [effects.thread_reply(loaded.escalation.id, f"fixed:{ref}", text=text)]
        row = loaded.ticket_row
        if self.configured(row.helpdesk):
            planned.append(
                effects.helpdesk_note(row.helpdesk, row.external_id, f"fixed:{ref}", text=text)
            )
        return planned
