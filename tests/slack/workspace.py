"""Requests as Slack sends them to the bridge: form-encoded or JSON, v0-signed, now."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from bridge.domain.calendar import BusinessCalendar
from bridge.domain.enums import Priority, Severity
from bridge.domain.records import Ticket as MirroredTicket
from bridge.domain.sla import SlaTarget, TargetKind, start_clock
from bridge.store.codec import to_json
from bridge.store.tables import ActionRequest, Escalation, SlaClock, Ticket
from sandbox import Sandbox
from tests.webhooks.signing import SECRETS, slack_headers

FORM = "application/x-www-form-urlencoded"
ALICE = "U0ALICE001"
BOB = "U0BOBDEV01"
CHANNEL = "C0SUPPORT01"
TEAM = "T0SANDBOX1"


def command(
    client: FlaskClient,
    text: str,
    trigger: str = "111.222.aaa",
    user: str = ALICE,
    team: str = TEAM,
    enterprise: str | None = None,
) -> Any:
    fields = {
        "command": "/escalate",
        "text": text,
        "user_id": user,
        "channel_id": CHANNEL,
        "team_id": team,
        "trigger_id": trigger,
        "response_url": "http://127.0.0.1:9/response",
    }
    body = urlencode(fields | ({"enterprise_id": enterprise} if enterprise else {})).encode()
    return client.post(
        "/slack/commands", data=body, headers=slack_headers(body, SECRETS["slack"], FORM)
    )


def interaction(client: FlaskClient, payload: dict[str, Any]) -> Any:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return client.post(
        "/slack/interactions", data=body, headers=slack_headers(body, SECRETS["slack"], FORM)
    )


def event(client: FlaskClient, payload: dict[str, Any], retry: int | None = None) -> Any:
    body = json.dumps(payload).encode()
    headers = slack_headers(body, SECRETS["slack"], "application/json")
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return client.post("/slack/events", data=body, headers=headers)


def button(action: str, user: str = ALICE, escalation: str = "7", trigger: str = "9.9.b") -> dict:
    return {
        "type": "block_actions",
        "trigger_id": trigger,
        "team": {"id": TEAM},
        "user": {"id": user},
        "channel": {"id": CHANNEL},
        "message": {"ts": "1700000000.000100"},
        "actions": [
            {
                "action_id": f"escalation.{action}",
                "block_id": "buttons",
                "value": escalation,
                "type": "button",
                "action_ts": "1700000001.0",
            }
        ],
    }


def add_ticket(
    session: Session,
    external_id: str,
    helpdesk: str = "zendesk",
    *,
    opened_at: dt.datetime | None = None,
) -> Ticket:
    """A mirrored ticket, urgent and at severity 1; ``opened_at`` without a reply from support
    yet makes the bridge advise against escalating it."""
    now = dt.datetime.now(dt.UTC)
    mirrored = MirroredTicket(
        external_id=external_id,
        requester="dana@customer.example",
        organisation="Customer Ltd",
        subject="Export fails for large files",
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        opened_at=opened_at,
    )
    ticket = Ticket(
        helpdesk=helpdesk,
        external_id=external_id,
        severity=1,
        priority="urgent",
        status="open",
        document=to_json(mirrored),
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    return ticket


def add_escalation(
    session: Session, ticket: Ticket, ar: str = "DEV-42", engineer: str = "Erin Escalation"
) -> Escalation:
    now = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    escalation = Escalation(
        ticket_id=ticket.id,
        state="active",
        level=2,
        classification="urgent",
        engineer=engineer,
        created_at=now,
        updated_at=now,
    )
    session.add(escalation)
    session.flush()
    clock = start_clock(
        f"esc-{escalation.id}:acknowledge",
        str(escalation.id),
        SlaTarget(TargetKind.ACKNOWLEDGE, dt.timedelta(hours=4)),
        BusinessCalendar.twenty_four_seven(),
        now=now,
    )
    session.add(
        SlaClock(
            id=clock.id,
            escalation_id=escalation.id,
            kind="acknowledge",
            state="running",
            due_at=clock.due_at,
            document=to_json(clock),
        )
    )
    session.add(
        ActionRequest(
            escalation_id=escalation.id,
            kind="ar",
            system="jira",
            external_key=ar,
            url=f"https://jira.example.com/browse/{ar}",
            state="open",
            created_at=now,
        )
    )
    return escalation


def wait_for(condition: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Listeners finish after their ack; poll for what they leave behind."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.01)
    return condition()


def selected(value: str) -> dict[str, Any]:
    return {"value": {"type": "radio_buttons", "selected_option": {"value": value}}}


def typed(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def triage_state(**changes: dict[str, Any]) -> dict[str, Any]:
    values = {
        "reason_category": {
            "value": {"type": "static_select", "selected_option": {"value": "data_loss"}}
        },
        "reason_text": typed("Exports over 2 GB silently drop rows"),
        "production_down": selected("yes"),
        "acceptable_workaround": selected("no"),
        "core_functionality_severely_affected": selected("yes"),
        "anticipated_financial_loss": typed("about USD 40k a day"),
        "users_affected": {"value": {"type": "number_input", "value": "250"}},
        "go_live_or_upgrade_date": {"value": {"type": "datepicker", "selected_date": "2026-01-06"}},
        "go_live_can_complete": selected("yes"),
        "go_live_effect": typed("The go-live cannot start until exports are whole"),
        "contact_name": typed("Dana Ops"),
        "contact_phone": typed("+1 555 0100"),
        "contact_email": {"value": {"type": "email_text_input", "value": "dana@customer.example"}},
        "contact_hours": typed("Mon-Fri 08:00-18:00 ET"),
        "review": {
            "value": {
                "type": "checkboxes",
                "selected_options": [
                    {"value": "problem_statement_correct"},
                    {"value": "business_impact_described"},
                ],
            }
        },
        "workaround_impractical": selected("impractical"),
        "critical_milestone_date": {"value": {"type": "datepicker", "selected_date": "2026-01-31"}},
    }
    return {"values": values | changes}


def submission(view: dict[str, Any], state: dict[str, Any], user: str = ALICE) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user},
        "trigger_id": "5.5.submit",
        "view": view | {"state": state},
    }


def notes_to(sandbox: Sandbox, user: str) -> list[str]:
    return [m.text for m in sandbox.slack.world.in_channel(CHANNEL) if m.ephemeral_to == user]
