"""The Slack flow end to end, with signed requests and the sandbox's Slack Web API:
``/escalate`` → ``views.open`` → ``view_submission`` → escalation request stored → confirmation."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from bridge.runtime import Runtime
from sandbox import Sandbox
from sandbox.core.faults import Fault
from tests.slack.workspace import (
    ALICE,
    CHANNEL,
    add_ticket,
    command,
    interaction,
    notes_to,
    submission,
    triage_state,
    typed,
    wait_for,
)


def opened_view(client: FlaskClient, sandbox: Sandbox, text: str) -> dict[str, Any]:
    response = command(client, text)
    assert response.status_code == 200
    views = wait_for(lambda: list(sandbox.slack.world.views.values()))
    assert len(views) == 1
    return views[0]


def test_escalate_opens_the_triage_modal_and_stores_the_request(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox, inbox
) -> None:
    with runtime.sessions.begin() as session:
        ticket_id = add_ticket(session, "4521").id
    view = opened_view(client, sandbox, "4521 exports lose data")
    assert view["callback_id"] == "escalation_triage"
    assert json.loads(view["private_metadata"]) == {
        "ticket": "zendesk:4521",
        "ticket_id": ticket_id,
        "channel": CHANNEL,
    }
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks["reason_text"]["element"]["initial_value"] == "exports lose data"

    answer = interaction(client, submission(view, triage_state()))
    assert (answer.status_code, answer.get_data()) == (200, b"")
    [row] = inbox()
    assert (row.source, row.event_type) == ("slack", "escalation_request")
    assert (row.delivery_id, row.record_key) == (f"view:{view['id']}", "ticket:zendesk:4521")
    request = json.loads(row.body)
    assert request["requested_by"] == ALICE
    assert request["answers"]["users_affected"] == 250
    assert request["answers"]["production_down"] is True
    assert request["answers"]["contact"]["email"] == "dana@customer.example"
    assert request["answers"]["go_live_or_upgrade_date"] == "2026-01-06"

    confirmation = wait_for(lambda: notes_to(sandbox, ALICE))
    assert confirmation == [
        "Escalation of ticket zendesk:4521 requested; the escalation team is being told."
    ]
    assert sandbox.violations == []


def test_an_incomplete_triage_is_sent_back_with_errors_on_the_fields(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox, inbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521")
    view = opened_view(client, sandbox, "4521")
    state = triage_state(
        users_affected={"value": {"type": "number_input", "value": "a few"}},
        contact_email={"value": {"type": "email_text_input", "value": "dana at customer"}},
        review={"value": {"type": "checkboxes", "selected_options": []}},
    )
    answer = interaction(client, submission(view, state))
    assert answer.status_code == 200
    assert answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) == {"users_affected", "contact_email", "review"}
    assert inbox() == []


def test_a_double_submitted_modal_is_stored_and_confirmed_once(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox, inbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521")
    view = opened_view(client, sandbox, "4521")
    for _ in range(2):
        assert interaction(client, submission(view, triage_state())).status_code == 200
    assert len(inbox()) == 1
    assert len(wait_for(lambda: notes_to(sandbox, ALICE))) == 1


def test_a_repeated_command_opens_one_modal(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521")
    opened_view(client, sandbox, "4521")
    assert command(client, "4521").status_code == 200  # Slack's retry: the same trigger id
    assert len(sandbox.slack.world.views) == 1


def test_the_user_is_told_when_slack_will_not_open_the_form(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521")
    sandbox.slack.faults.add(Fault(route="*/views.open", status=400, times=1))
    assert command(client, "4521").status_code == 200
    assert wait_for(lambda: notes_to(sandbox, ALICE)) == [
        "Slack would not open the escalation form (fatal_error); retry."
    ]


def test_the_modal_asks_the_four_review_questions_and_the_go_live_effect(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox, inbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521")
    view = opened_view(client, sandbox, "4521")
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert {"review", "workaround_impractical", "critical_milestone_date"} <= set(blocks)
    review = [option["value"] for option in blocks["review"]["element"]["options"]]
    assert review == ["problem_statement_correct", "business_impact_described"]
    state = triage_state(go_live_effect=typed(""))
    del state["values"]["workaround_impractical"]
    answer = interaction(client, submission(view, state))
    assert answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) == {"workaround_impractical", "go_live_effect"}
    assert inbox() == []

    assert interaction(client, submission(view, triage_state())).status_code == 200
    [row] = inbox()
    assert json.loads(row.body)["answers"]["review"] == {
        "problem_statement_correct": True,
        "business_impact_described": True,
        "workaround_impractical": True,
        "critical_milestone_date": "2026-01-31",
    }


def test_a_long_subject_is_cut_to_slacks_section_limit_with_an_ellipsis(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521").document = {"subject": "Exports fail " + "x" * 3987}
    view = opened_view(client, sandbox, "4521 exports lose data")
    [shown] = [block["text"]["text"] for block in view["blocks"] if block["type"] == "section"]
    assert shown.startswith("Escalating ticket zendesk:4521: Exports fail xxx")
    assert (len(shown), shown[-1]) == (3000, "…")
    assert sandbox.violations == []
