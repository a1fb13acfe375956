"""What the triage modal decides, seen through Slack: advice against escalating is answered on
the form and overridden there with a justification that the escalation's thread shows, and a
go-live due today that cannot complete makes the escalation Urgent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.config.policy import RoutingConfig
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.escalation.policy import snapshot
from bridge.store.escalations import EscalationStore
from bridge.store.tables import Escalation
from sandbox import Sandbox
from tests.helpers import settle
from tests.slack.test_escalation_flow import opened_view
from tests.slack.workspace import (
    ALICE,
    CHANNEL,
    add_ticket,
    interaction,
    selected,
    submission,
    triage_state,
    typed,
)

ADVICE = (
    "The bridge advises against escalating: support has not answered this ticket yet; give them "
    "a chance to work on it first. To escalate anyway, give a justification."
)


@pytest.fixture
def routed(runtime: Runtime) -> Runtime:
    """Escalations routed to the sandbox's support channel, where their messages are read."""
    runtime.settings = runtime.settings.model_copy(
        update={"routing": RoutingConfig(default_channel=CHANNEL)}
    )
    return runtime


def channel_texts(sandbox: Sandbox) -> list[str]:
    """Every message in the channel as people read it: its text and its blocks' text."""
    shown = []
    for message in sandbox.slack.world.in_channel(CHANNEL):
        parts = [message.text]
        for block in message.blocks or []:
            texts = [block.get("text") or {}, *block.get("fields", [])]
            parts += [text.get("text") for text in texts]
        shown.append(" ".join(str(part) for part in parts if part))
    return shown


def policy_today(runtime: Runtime) -> dt.date:
    """Today where the default calendar is: the day the triage classifies against."""
    zone = snapshot(runtime.settings, None).calendar.zone
    return utcnow().astimezone(zone).date()


def escalated(runtime: Runtime, ticket: str) -> Escalation:
    with runtime.sessions() as session:
        found = EscalationStore(session).find_ticket(f"zendesk:{ticket}")
        assert found is not None
        [row] = session.scalars(select(Escalation).where(Escalation.ticket_id == found.id))
        return row


def test_advice_against_escalating_is_answered_on_the_form_and_a_justification_overrides_it(
    client: FlaskClient, routed: Runtime, sandbox: Sandbox, inbox
) -> None:
    with routed.sessions.begin() as session:  # support has not answered it yet
        add_ticket(session, "4521", opened_at=utcnow() - dt.timedelta(hours=1))
    view = opened_view(client, sandbox, "4521")
    field = {block.get("block_id"): block for block in view["blocks"]}["override_justification"]
    assert field["label"]["text"] == "Escalate anyway — justification"
    assert (field["optional"], field["element"]["multiline"]) == (True, True)

    refused = interaction(client, submission(view, triage_state()))
    assert refused.json == {
        "response_action": "errors",
        "errors": {"override_justification": ADVICE},
    }
    assert inbox() == []

    why = "The warehouse stops shipping tonight <!channel> & the CEO knows"
    justified = triage_state(override_justification=typed(why))
    assert interaction(client, submission(view, justified)).get_data() == b""
    settle(routed)

    opened = [text for text in channel_texts(sandbox) if "Escalation opened" in text]
    assert len(opened) == 1
    assert opened[0].endswith(
        "Escalated against the advice (support has not answered this ticket yet; give them a "
        f"chance to work on it first) by {ALICE}: The warehouse stops shipping tonight "
        "&lt;!channel&gt; &amp; the CEO knows"
    )
    row = escalated(routed, "4521")
    assert row.document["override"]["by"] == ALICE
    assert row.document["override"]["justification"] == why
    assert sandbox.violations == []


def test_a_ticket_the_bridge_does_not_advise_against_needs_no_justification(
    client: FlaskClient, routed: Runtime, sandbox: Sandbox, inbox
) -> None:
    with routed.sessions.begin() as session:  # opened three days ago: support had its chance
        add_ticket(session, "4521", opened_at=utcnow() - dt.timedelta(days=3))
    view = opened_view(client, sandbox, "4521")
    assert interaction(client, submission(view, triage_state())).get_data() == b""
    settle(routed)
    [opened] = [text for text in channel_texts(sandbox) if "Escalation opened" in text]
    assert "against the advice" not in opened
    assert escalated(routed, "4521").document["override"] is None


def go_live(due: dt.date, can_complete: str | None) -> dict[str, Any]:
    """Nothing else urgent: production up, core business not seriously affected."""
    answers = {
        "production_down": selected("no"),
        "core_functionality_severely_affected": selected("no"),
        "go_live_or_upgrade_date": {
            "value": {"type": "datepicker", "selected_date": due.isoformat()}
        },
        "go_live_effect": typed("The upgrade window closes tonight"),
    }
    state = triage_state(**answers)
    if can_complete is None:
        del state["values"]["go_live_can_complete"]
    else:
        state["values"]["go_live_can_complete"] = selected(can_complete)
    return state


def test_the_form_asks_whether_a_go_live_can_complete_once_a_date_is_given(
    client: FlaskClient, routed: Runtime, sandbox: Sandbox, inbox
) -> None:
    with routed.sessions.begin() as session:
        add_ticket(session, "4521")
    view = opened_view(client, sandbox, "4521")
    block_ids = [block.get("block_id") for block in view["blocks"]]
    asked = view["blocks"][block_ids.index("go_live_can_complete")]
    assert block_ids.index("go_live_can_complete") == block_ids.index("go_live_or_upgrade_date") + 1
    assert asked["optional"] is True
    assert [option["value"] for option in asked["element"]["options"]] == ["yes", "no"]

    unanswered = interaction(client, submission(view, go_live(policy_today(routed), None)))
    assert unanswered.json == {
        "response_action": "errors",
        "errors": {
            "go_live_can_complete": (
                "Say whether the go-live or upgrade can still complete on that date."
            )
        },
    }
    without_date = go_live(policy_today(routed), None)
    for block in ("go_live_or_upgrade_date", "go_live_effect"):
        del without_date["values"][block]
    assert interaction(client, submission(view, without_date)).get_data() == b""
    assert [row.event_type for row in inbox()] == ["escalation_request"]


@pytest.mark.parametrize(
    ("days_ahead", "can_complete", "classification"),
    [
        (0, "no", "Urgent"),
        (1, "no", "Urgent"),
        (0, "yes", "High Priority"),
        (2, "no", "High Priority"),
    ],
)
def test_a_go_live_due_today_or_tomorrow_that_cannot_complete_is_urgent(
    client: FlaskClient,
    routed: Runtime,
    sandbox: Sandbox,
    days_ahead: int,
    can_complete: str,
    classification: str,
) -> None:
    with routed.sessions.begin() as session:
        add_ticket(session, "4521", opened_at=utcnow() - dt.timedelta(days=3))
    view = opened_view(client, sandbox, "4521")
    due = policy_today(routed) + dt.timedelta(days=days_ahead)
    assert interaction(client, submission(view, go_live(due, can_complete))).get_data() == b""
    settle(routed)

    [head] = [text for text in channel_texts(sandbox) if "*Classification:*" in text]
    assert f"*Classification:* {classification}" in head
    triage = escalated(routed, "4521").document["triage"]
    assert triage["go_live_can_complete"] is (can_complete == "yes")
