"""The helpdesk as the entry point, through the sandbox's Zendesk and its signed webhooks: the
ticket is tagged ``escalation``, then the customer copies the account manager on a reply.

A Zendesk event subscription carries no triage answers, and marking a ticket needs them
(``EscalationService.escalate_from_helpdesk``): the change reaches the bridge, which tells
support what is missing; the escalation is then opened with its answers, as Slack would."""

from __future__ import annotations

import requests
from sqlalchemy import select

from bridge.config.policy import LevelConfig
from bridge.domain.enums import EntryPoint, ReasonCategory
from bridge.jobs.clock import utcnow
from bridge.services.escalation.escalations import EscalationRequest
from bridge.store import tables
from sandbox import Sandbox

from .sandboxed import Bridge

ACCOUNT_MANAGER = "am@vendor.example"


def escalations_of(bridge: Bridge, ticket: str) -> list[tables.Escalation]:
    with bridge.runtime.sessions() as session:
        return list(
            session.scalars(
                select(tables.Escalation)
                .join(tables.Ticket, tables.Ticket.id == tables.Escalation.ticket_id)
                .where(tables.Ticket.external_id == ticket)
            )
        )


def test_tag_escalation_then_a_reply_copying_the_account_manager(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    settings = bridge.runtime.settings
    levels = {
        1: LevelConfig(role="support manager", address="supportmanager@vendor.example"),
        2: LevelConfig(role="account manager", notify="dm", address=ACCOUNT_MANAGER),
        3: LevelConfig(role="executive", notify="dm", address="ceo@vendor.example"),
    }
    bridge.runtime.settings = settings.model_copy(update={"levels": levels})
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk")
    zendesk = sandbox.urls["zendesk"]
    credentials = sandbox.credentials["zendesk"]
    auth = (f"{credentials['email']}/token", credentials["api_token"])

    # The agent tags the ticket escalation: Zendesk's API, Zendesk's event (tags_changed).
    changed = requests.put(
        f"{zendesk}/api/v2/tickets/100.json",
        json={"ticket": {"tags": ["escalation"]}},
        auth=auth,
        timeout=10,
    )
    changed.raise_for_status()
    assert changed.json()["ticket"]["tags"] == ["escalation"]
    bridge.settle()
    assert escalations_of(bridge, "100") == []
    channel = sandbox.credentials["slack"]["channel"]
    posted = [m.text for m in sandbox.slack.world.in_channel(channel)]
    assert any("Escalation of zendesk:100 refused" in text for text in posted)
    with bridge.runtime.sessions() as session:
        mirrored = session.scalars(
            select(tables.Ticket).where(tables.Ticket.external_id == "100")
        ).one()
        assert mirrored.document["escalation_marked"] is True
        assert mirrored.ticket_type == "incident"  # Zendesk's own type, untouched
    bridge.runtime.services.escalations.request(
        EscalationRequest(
            ticket_ref="zendesk:100",
            reason=ReasonCategory.DATA_LOSS,
            reason_text="orders lost",
            requested_by="U0ALICE001",
            entry_point=EntryPoint.SLACK,
            cause="slack:test",
            override_justification="test",
        ),
        utcnow(),
    )
    bridge.settle()
    [escalation] = escalations_of(bridge, "100")
    assert escalation.level == 1

    # The customer replies by mail, copying the account manager: level 2, once.
    reply = {"body": "Nothing moves; I am copying our account manager.", "cc": [ACCOUNT_MANAGER]}
    url = f"{zendesk}/_sandbox/tickets/100/customer_reply"
    requests.post(url, json=reply, timeout=10).raise_for_status()
    bridge.settle()
    [escalation] = escalations_of(bridge, "100")
    assert escalation.level == 2
    attempts = escalation.document["level_attempts"]
    assert [(a["level"], a["cause"]) for a in attempts] == [
        (1, "opened"),
        (2, "customer_copy"),
    ]
    ticket = requests.get(f"{zendesk}/api/v2/tickets/100.json", auth=auth, timeout=10).json()
    assert len(ticket["ticket"]["email_cc_ids"]) == 1

    # Zendesk retries the same delivery: stored once, raised once.
    [delivery] = [
        d
        for d in requests.get(f"{zendesk}/_sandbox/webhooks/deliveries", timeout=10).json()
        if '"comment_added"' in d["body"] or "comment_added" in d.get("event", "")
    ][-1:]
    again = requests.post(
        f"{bridge.url}/webhooks/zendesk",
        data=delivery["body"].encode(),
        headers=delivery["headers"],
        timeout=10,
    )
    assert again.status_code == 200
    bridge.settle()
    [escalation] = escalations_of(bridge, "100")
    assert escalation.level == 2
    assert len(escalation.document["level_attempts"]) == 2
