"""The bolt listeners: each acks within milliseconds and leaves the real work to a job.

What must not be lost (an escalation request, a button press, an event) is committed to the
inbox before the ack; what Slack retries or a user double-submits is stored once and acted on
once. Slack calls made here (``views.open``, an ephemeral note) are the ones Slack needs now.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import structlog
from slack_bolt import BoltRequest, BoltResponse

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.ports import ConnectorError, SlackWorkspace
from bridge.services.receiving import dig, scalar_text
from bridge.services.showing.shown import TicketNamed, shown_tickets
from bridge.store.inbox import Delivery
from bridge.store.queries import TicketView, find_tickets, latest_escalation, open_escalations
from webhooks.slack import same_problem, step_forms
from webhooks.slack.commands import (
    USAGE,
    Escalate,
    Help,
    Listing,
    Refuse,
    TicketRef,
    already_escalated,
    listing_text,
    parse_escalate,
    status_text,
    unknown_ticket,
)
from webhooks.slack.form_presets import presets_for
from webhooks.slack.metadata import read_metadata
from webhooks.slack.modal import triage_modal
from webhooks.slack.permissions import GroupDirectory, allowed_for, may_press, refusal
from webhooks.slack.submissions import FormSubmissions, key_part, text_of
from webhooks.slack.triage import advice_against, read_triage

log = structlog.get_logger("webhooks.slack")
EPHEMERAL = "ephemeral"  # only the person who ran the command sees the answer
EXPIRED_FORM = {"reason_text": "This form has expired; run /escalate again."}


class Listeners(FormSubmissions):
    def __init__(
        self, runtime: Runtime, workspace: SlackWorkspace, directory: GroupDirectory
    ) -> None:
        self.runtime = runtime
        self.workspace = workspace
        self.directory = directory

    def first_press(self, trigger: str) -> bool:
        """Whether this trigger id (one per command, press or submission) is seen for the first
        time: a retried or replayed request opens no second form."""
        return bool(trigger) and self.runtime.guards.acquire(
            f"slack:trigger:{trigger}", "slack", utcnow()
        )

    def tell(self, channel: str | None, user: str, text: str) -> None:
        """A note only ``user`` sees; a direct message when the channel is unknown."""
        try:
            self.workspace.post_ephemeral(channel, user, text)
        except ConnectorError as exc:
            log.warning("slack.note_failed", error=str(exc))

    def _listing(self, request: Listing, user: str) -> str:
        """Open escalations as ``user`` may act on them: all (list) or their own (mine)."""
        with self.runtime.sessions() as session:
            found = open_escalations(session, limit=200)
            if request.mine:
                found = [line for line in found if user in (line.engineer, line.requested_by)]
            found = found[:25]
            named = [
                TicketNamed(helpdesk, number, line.subject, line.organisation)
                for line in found
                for helpdesk, _, number in [line.ticket.partition(":")]
            ]
            tickets = shown_tickets(session, self.runtime.pages, named)
        dead = self.runtime.outbox.counts_by_status().get("dead", 0)
        return listing_text(found, tickets, mine=request.mine, now=utcnow(), dead_letters=dead)

    def _ticket(self, ref: TicketRef) -> TicketView | str:
        with self.runtime.sessions() as session:
            matches = find_tickets(session, ref.external_id, ref.helpdesk)
        return unknown_ticket(ref, matches) or matches[0]

    def escalate_command(self, ack: Callable[..., None], command: dict) -> None:
        request = parse_escalate(text_of(command.get("text")))
        if isinstance(request, Help | Refuse):
            ack(text=USAGE if isinstance(request, Help) else request.text, response_type=EPHEMERAL)
            return
        if isinstance(request, Listing):
            ack(
                text=self._listing(request, text_of(command.get("user_id"))),
                response_type=EPHEMERAL,
            )
            return
        ticket = self._ticket(request.ticket)
        if isinstance(ticket, str):
            ack(text=ticket, response_type=EPHEMERAL)
            return
        with self.runtime.sessions() as session:
            escalation = latest_escalation(session, ticket.id)
        refusal = already_escalated(ticket, escalation) if isinstance(request, Escalate) else None
        if not isinstance(request, Escalate) or refusal is not None:
            text = refusal or status_text(ticket, escalation, utcnow())
            ack(text=text, response_type=EPHEMERAL)
            return
        ack()
        trigger = text_of(command.get("trigger_id"))
        if not self.first_press(trigger):
            log.info("slack.command.repeated", command="escalate")
            return
        view = triage_modal(ticket, request.reason, scalar_text(command.get("channel_id")))
        try:
            self.workspace.open_view(trigger, view)
        except ConnectorError as exc:
            log.warning("slack.views_open_failed", error=str(exc))
            user = text_of(command.get("user_id"))
            note = f"Slack would not open the escalation form ({exc.detail}); retry."
            self.tell(scalar_text(command.get("channel_id")), user, note)

    def triage_submitted(self, ack: Callable[..., None], body: dict, view: dict) -> None:
        answers, errors = read_triage(dig(view, "state", "values"))
        if answers is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            metadata = read_metadata(view)
            ticket = metadata["ticket"]
        except (ValueError, TypeError, KeyError):
            ack(response_action="errors", errors=EXPIRED_FORM)
            return
        advised = advice_against(self.runtime.services.advisor, str(ticket), answers, utcnow())
        if advised:
            ack(response_action="errors", errors=advised)
            return
        user = text_of(dig(body, "user", "id"))
        request = {
            "entry_point": "slack",
            "ticket": ticket,
            "ticket_id": metadata.get("ticket_id"),
            "requested_by": user,
            "channel": metadata.get("channel"),
            "view_id": view.get("id"),
            "answers": answers,
        }
        delivery = Delivery(
            source="slack",
            delivery_id=f"view:{key_part(text_of(view.get('id')))}",
            event_type="escalation_request",
            body=json.dumps(request, sort_keys=True).encode(),
            record_key=f"ticket:{key_part(str(ticket))}",
            provider_ts=utcnow(),
        )
        stored = self.runtime.handoff.accept(delivery)
        ack()
        if stored.duplicate:
            return
        log.info("slack.escalation_requested", row_id=stored.row_id)
        note = f"Escalation of ticket {ticket} requested; the escalation team is being told."
        self.tell(metadata.get("channel"), user, note)

    def button_pressed(self, ack: Callable[..., None], body: dict, action: dict) -> None:
        role = text_of(action.get("action_id")).removeprefix("escalation.")  # matched: a known role
        escalation = scalar_text(action.get("value"))
        comment = ""
        if role == "share_with_customer":  # "<escalation id>|<the comment, as heard>"
            escalation, _, comment = (escalation or "").partition("|")
        if role == "more":  # the "More steps" menu: "<step>:<escalation id>"
            role, _, escalation = text_of(dig(action, "selected_option", "value")).partition(":")
            if role not in step_forms.FORMS:
                ack()
                return
        user = text_of(dig(body, "user", "id"))
        channel = scalar_text(dig(body, "channel", "id"))
        allowed = allowed_for(self.runtime.settings.roles, role)
        if not may_press(allowed, user, self.directory):
            ack()
            log.info("slack.button.refused", role=role)
            self.tell(channel, user, refusal(role, allowed))
            return
        if role == "same_problem" or role in step_forms.FORMS:
            ack()  # the form opens at once: its trigger id lasts three seconds
            if not self.first_press(text_of(body.get("trigger_id"))):
                return
            form = (
                same_problem.modal
                if role == "same_problem"
                else step_forms.step_modal(role, presets_for(self.runtime, role, escalation))
            )
            try:
                self.workspace.open_view(
                    text_of(body.get("trigger_id")), form(escalation or "", channel)
                )
            except ConnectorError as exc:
                log.warning("slack.views_open_failed", error=str(exc))
                self.tell(channel, user, f"Slack would not open the form ({exc.detail}); retry.")
            return
        press = {
            "action": role,
            "escalation_id": escalation,
            "user": user,
            "channel": channel,
            "message_ts": scalar_text(dig(body, "message", "ts")),
            **({"comment": comment} if comment else {}),
        }
        trigger = text_of(body.get("trigger_id")) or f"{user}:{text_of(action.get('action_ts'))}"
        delivery = Delivery(
            source="slack",
            delivery_id=f"action:{key_part(trigger)}",
            event_type=f"button.{role}",
            body=json.dumps(press, sort_keys=True).encode(),
            record_key=f"escalation:{key_part(escalation)}" if escalation else None,
            provider_ts=utcnow(),
        )
        self.runtime.handoff.accept(delivery)
        ack()

    def store_event(
        self, req: BoltRequest, body: dict, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Middleware: an Events API callback is stored before bolt acks it; a retry stops here."""
        if body.get("type") != "event_callback":
            return next()
        event_type = text_of(dig(body, "event", "type")) or "unknown"
        event_time = body.get("event_time")
        delivery = Delivery(
            source="slack",
            delivery_id=f"event:{key_part(text_of(body.get('event_id')))}",
            event_type=f"event.{key_part(event_type)}",
            # Over Socket Mode there are no raw bytes: the envelope's payload is the body.
            body=req.raw_body.encode() if req.raw_body else json.dumps(body).encode(),
            record_key=_thread_key(body),
            provider_ts=_epoch(event_time),
        )
        if self.runtime.handoff.accept(delivery).duplicate:
            return BoltResponse(status=200, body={"status": "duplicate"})
        return next()


def _thread_key(body: dict) -> str | None:
    channel = scalar_text(dig(body, "event", "channel"))
    thread = scalar_text(dig(body, "event", "thread_ts")) or scalar_text(dig(body, "event", "ts"))
    return f"thread:{key_part(channel)}:{key_part(thread)}" if channel and thread else None


def _epoch(value: Any) -> dt.datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**11:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return None
