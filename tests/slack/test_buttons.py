"""Escalation buttons: checked against who may press them, stored once, worked on in a job."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox import Sandbox
from tests.slack.workspace import (
    ALICE,
    BOB,
    CHANNEL,
    button,
    interaction,
    submission,
    wait_for,
)
from webhooks.slack import surface_of
from webhooks.slack.permissions import GroupDirectory


class FakeGroups(GroupDirectory):
    def __init__(self, groups: dict[str, set[str]]) -> None:
        self.groups = groups

    def members(self, group_id: str) -> frozenset[str]:
        return frozenset(self.groups.get(group_id, set()))


def refusals(sandbox: Sandbox, user: str) -> list[str]:
    return [m.text for m in sandbox.slack.world.in_channel(CHANNEL) if m.ephemeral_to == user]


def test_anyone_may_press_a_button_whose_role_lists_nobody(client: FlaskClient, inbox) -> None:
    assert interaction(client, button("raise_level")).status_code == 200
    [row] = inbox()
    assert (row.event_type, row.record_key, row.delivery_id) == (
        "button.raise_level",
        "escalation:7",
        "action:9.9.b",
    )
    assert json.loads(row.body) == {
        "action": "raise_level",
        "escalation_id": "7",
        "user": ALICE,
        "channel": CHANNEL,
        "message_ts": "1700000000.000100",
    }


@pytest.mark.parametrize("roles", [{"acknowledge": f'["{BOB}"]'}])
def test_someone_not_in_the_role_gets_an_ephemeral_refusal(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    assert interaction(client, button("acknowledge", user=ALICE)).status_code == 200
    assert wait_for(lambda: refusals(sandbox, ALICE)) == [
        f"Only <@{BOB}> may press Acknowledge on escalations."
    ]
    assert inbox() == []
    assert interaction(client, button("acknowledge", user=BOB)).status_code == 200
    assert [row.event_type for row in inbox()] == ["button.acknowledge"]


@pytest.mark.parametrize("roles", [{"mark_resolved": '["S0ESCTEAM1"]'}])
def test_members_of_a_permitted_user_group_may_press(
    app: Flask, client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    surface = surface_of(app)
    assert surface is not None
    surface.listeners.directory = FakeGroups({"S0ESCTEAM1": {BOB}})
    interaction(client, button("mark_resolved", user=ALICE, trigger="1.a"))
    interaction(client, button("mark_resolved", user=BOB, trigger="1.b"))
    [form] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    assert json.loads(form["private_metadata"])["step"] == "mark_resolved"  # for Bob alone
    assert wait_for(lambda: refusals(sandbox, ALICE)) == [
        "Only <!subteam^S0ESCTEAM1> may press Mark resolved on escalations."
    ]
    assert inbox() == []


def test_a_retried_press_acts_once(client: FlaskClient, inbox) -> None:
    for _ in range(3):
        assert interaction(client, button("raise_level")).status_code == 200
    assert len(inbox()) == 1


def test_same_problem_asks_for_the_new_ticket_then_stores_the_report(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    assert interaction(client, button("same_problem")).status_code == 200
    [view] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    assert view["callback_id"] == "same_problem"
    assert inbox() == []  # nothing happens until the new ticket is named

    empty = {"values": {"ticket": {"value": {"type": "plain_text_input", "value": " "}}}}
    refused = interaction(client, submission(view, empty))
    assert refused.json == {
        "response_action": "errors",
        "errors": {"ticket": "Name the new ticket."},
    }

    named = {"values": {"ticket": {"value": {"type": "plain_text_input", "value": "4712"}}}}
    assert interaction(client, submission(view, named)).status_code == 200
    [row] = inbox()
    assert row.event_type == "same_problem"
    assert json.loads(row.body) == {"escalation_id": "7", "ticket": "4712", "user": ALICE}


@pytest.mark.parametrize("roles", [{"same_problem": f'["{BOB}"]'}])
def test_a_same_problem_form_sent_by_someone_the_role_leaves_out_is_refused(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    assert interaction(client, button("same_problem", user=BOB)).status_code == 200
    [view] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    named = {"values": {"ticket": {"value": {"type": "plain_text_input", "value": "4712"}}}}

    refused = interaction(client, submission(view, named, user=ALICE))
    assert refused.json == {
        "response_action": "errors",
        "errors": {"ticket": "You may not press Same problem on escalations; nothing was changed."},
    }
    assert inbox() == []
    assert interaction(client, submission(view, named, user=BOB)).status_code == 200
    assert [json.loads(row.body)["user"] for row in inbox()] == [BOB]
