"""The procedure's steps from Slack: a button or the "More steps" menu opens the step's form in
Slack (``views.open``), a form with a problem is sent back with the error on its field, and a
good one is stored once for its job."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from structlog.testing import capture_logs

from sandbox import Sandbox
from tests.slack.workspace import ALICE, BOB, button, interaction, submission, wait_for
from webhooks.slack.permissions import BUTTON_LABELS
from webhooks.slack.step_forms import FORMS


def opened_form(client: FlaskClient, sandbox: Sandbox, press: dict[str, Any]) -> dict[str, Any]:
    assert interaction(client, press).status_code == 200
    [view] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    return view


def more_steps(step: str, user: str = ALICE, escalation: str = "7") -> dict[str, Any]:
    press = button("more", user=user, escalation=escalation)
    [action] = press["actions"]
    action.pop("value")
    action |= {"type": "static_select", "selected_option": {"value": f"{step}:{escalation}"}}
    return press


def typed(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def chosen(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def picked_date(day: dt.date) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": day.isoformat()}}


def test_propose_plan_opens_its_form_and_stores_the_plan_once(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, button("propose_plan"))
    assert form["callback_id"] == "escalation_step"
    assert json.loads(form["private_metadata"])["step"] == "propose_plan"
    assert [block["block_id"] for block in form["blocks"]] == ["kind", "delivery_date", "summary"]
    assert sandbox.violations == []  # views.open as Slack's API describes it
    assert inbox() == []  # nothing is stored until the form is sent

    later = dt.date.today() + dt.timedelta(days=10)
    state = {
        "values": {
            "kind": chosen("patch"),
            "delivery_date": picked_date(later),
            "summary": typed("Hotfix 4.2.1 for the export job"),
        }
    }
    for _ in range(2):  # Slack retries, or a double click
        assert interaction(client, submission(form, state)).status_code == 200
    [row] = inbox()
    assert (row.event_type, row.record_key) == ("step.propose_plan", "escalation:7")
    assert json.loads(row.body) == {
        "step": "propose_plan",
        "escalation_id": "7",
        "user": ALICE,
        "channel": "C0SUPPORT01",
        "answers": {
            "kind": "patch",
            "delivery_date": later.isoformat(),
            "summary": "Hotfix 4.2.1 for the export job",
        },
    }


def test_a_form_with_problems_is_sent_back_with_the_error_on_each_field(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, button("propose_plan"))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    state = {"values": {"kind": chosen("teleport"), "delivery_date": picked_date(yesterday)}}

    answer = interaction(client, submission(form, state))
    assert answer.json == {
        "response_action": "errors",
        "errors": {
            "kind": "Choose one of the options.",
            "delivery_date": f"{yesterday.isoformat()} is in the past.",
            "summary": "Required.",
        },
    }
    assert inbox() == []


def test_an_outcome_without_the_why_is_refused_in_the_form(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, button("mark_resolved"))
    state = {"values": {"outcome": chosen("explained_not_possible")}}
    answer = interaction(client, submission(form, state))
    assert answer.json["errors"] == {
        "outcome": "An outcome 'explained as not possible' must say why it is not possible."
    }
    assert inbox() == []


def test_the_more_steps_menu_opens_the_chosen_form(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, more_steps("status_update"))
    assert json.loads(form["private_metadata"])["step"] == "status_update"
    state = {"values": {"text": typed("Fix in review"), "visibility": chosen("internal")}}
    assert interaction(client, submission(form, state)).status_code == 200
    [row] = inbox()
    assert json.loads(row.body)["answers"] == {"text": "Fix in review", "visibility": "internal"}


def test_an_expired_or_forged_form_is_refused_on_its_first_field(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, more_steps("de_escalate"))
    forged = form | {"private_metadata": json.dumps({"step": "de_escalate", "escalation_id": "x"})}
    answer = interaction(client, submission(forged, {"values": {"agreement": typed("ok")}}))
    assert answer.json["errors"] == {
        "agreement": "This form has expired; open it again from the escalation."
    }
    assert inbox() == []


@pytest.mark.parametrize(
    "metadata",
    [
        "[" * 100_000,  # nested far past any parser's recursion
        "[" * 1400 + "]" * 1400,  # within Slack's 3,000 characters, still too deep
        json.dumps({"step": "de_escalate", "escalation_id": "7", "pad": "x" * 3000}),
        json.dumps({"step": "de_escalate", "escalation_id": {"id": [[[["7"]]]]}}),
    ],
    ids=["deep", "deep-and-short", "over-3000-characters", "nested-values"],
)
def test_a_form_with_forged_metadata_is_refused_on_its_first_field_not_a_500(
    client: FlaskClient, sandbox: Sandbox, inbox, metadata: str
) -> None:
    form = opened_form(client, sandbox, more_steps("de_escalate"))
    forged = form | {"private_metadata": metadata}
    answer = interaction(client, submission(forged, {"values": {"agreement": typed("ok")}}))
    assert answer.status_code == 200
    assert answer.json == {
        "response_action": "errors",
        "errors": {"agreement": "This form has expired; open it again from the escalation."},
    }
    assert inbox() == []


@pytest.mark.parametrize("roles", [{"close": f'["{BOB}"]'}])
def test_a_step_someone_may_not_take_opens_no_form(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    assert interaction(client, more_steps("close", user=ALICE)).status_code == 200
    refusal = wait_for(
        lambda: [m.text for m in sandbox.slack.world.in_channel("C0SUPPORT01") if m.ephemeral_to]
    )
    assert refusal == [f"Only <@{BOB}> may press Close after monitoring on escalations."]
    assert sandbox.slack.world.views == {}
    assert inbox() == []


@pytest.mark.parametrize("roles", [{"close": f'["{BOB}"]'}])
def test_a_form_sent_by_someone_the_role_leaves_out_changes_nothing(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, more_steps("close", user=BOB))
    state = {"values": {"agreement": typed("The customer agreed on the call")}}
    with capture_logs() as logs:
        answer = interaction(client, submission(form, state, user=ALICE))
    assert answer.json == {
        "response_action": "errors",
        "errors": {
            "agreement": "You may not press Close after monitoring on escalations; "
            "nothing was changed."
        },
    }
    assert inbox() == []
    assert {"event": "slack.form.refused", "role": "close", "log_level": "info"} in logs

    assert interaction(client, submission(form, state, user=BOB)).status_code == 200
    assert [row.event_type for row in inbox()] == ["step.close"]


@pytest.mark.parametrize(
    "roles", [{step: f'["{BOB}"]'} for step in FORMS], ids=lambda roles: next(iter(roles))
)
def test_every_step_form_is_checked_against_its_role_when_sent(
    client: FlaskClient, sandbox: Sandbox, inbox, roles: dict[str, str]
) -> None:
    [step] = roles
    form = opened_form(client, sandbox, more_steps(step, user=BOB))
    answer = interaction(client, submission(form, {"values": {}}, user=ALICE))
    first_field = form["blocks"][0]["block_id"]
    refusal = f"You may not press {BUTTON_LABELS[step]} on escalations; nothing was changed."
    assert answer.json == {"response_action": "errors", "errors": {first_field: refusal}}
    assert inbox() == []


def test_the_remote_session_form_refuses_a_future_date_and_stores_a_held_one(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, more_steps("remote_session"))
    assert json.loads(form["private_metadata"])["step"] == "remote_session"
    assert [block["block_id"] for block in form["blocks"]] == ["held_on", "attendees", "outcome"]
    assert [block["element"]["type"] for block in form["blocks"]] == [
        "datepicker",
        "plain_text_input",
        "plain_text_input",
    ]
    assert form["blocks"][2]["element"]["multiline"] is True
    assert sandbox.violations == []

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    early = {"values": {"held_on": picked_date(tomorrow), "attendees": typed("Dana")}}
    answer = interaction(client, submission(form, early))
    assert answer.json == {
        "response_action": "errors",
        "errors": {
            "held_on": f"{tomorrow.isoformat()} is in the future.",
            "outcome": "Required.",
        },
    }
    assert inbox() == []

    yesterday = dt.date.today() - dt.timedelta(days=1)
    held = {
        "values": {
            "held_on": picked_date(yesterday),
            "attendees": typed("Dana Ops, Erin Vendor"),
            "outcome": typed("Reproduced on the customer's server"),
        }
    }
    assert interaction(client, submission(form, held)).status_code == 200
    [row] = inbox()
    assert row.event_type == "step.remote_session"
    assert json.loads(row.body)["answers"] == {
        "held_on": yesterday.isoformat(),
        "attendees": "Dana Ops, Erin Vendor",
        "outcome": "Reproduced on the customer's server",
    }


def test_the_monitoring_period_form_asks_until_when_and_refuses_a_past_day(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    form = opened_form(client, sandbox, more_steps("monitoring_period"))
    assert form["title"]["text"] == "Monitoring period"
    assert [block["block_id"] for block in form["blocks"]] == ["until", "agreement"]
    until, agreement = form["blocks"]
    assert (until["label"]["text"], until["element"]["type"]) == (
        "Monitor the fix until",
        "datepicker",
    )
    assert agreement["label"]["text"] == "What was agreed with the customer"
    assert sandbox.violations == []

    yesterday = dt.date.today() - dt.timedelta(days=1)
    past = {"values": {"until": picked_date(yesterday), "agreement": typed("Dana: a week")}}
    answer = interaction(client, submission(form, past))
    assert answer.json == {
        "response_action": "errors",
        "errors": {"until": f"{yesterday.isoformat()} is in the past."},
    }
    assert inbox() == []

    friday = dt.date.today() + dt.timedelta(days=4)
    agreed = {"values": {"until": picked_date(friday), "agreement": typed("Dana: till Friday")}}
    assert interaction(client, submission(form, agreed)).status_code == 200
    [row] = inbox()
    assert row.event_type == "step.monitoring_period"
    assert json.loads(row.body)["answers"] == {
        "until": friday.isoformat(),
        "agreement": "Dana: till Friday",
    }
