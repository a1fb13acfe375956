"""``/escalate``: usage, status, and the refusals of rule 1, each answered at once."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient

from bridge.runtime import Runtime
from bridge.store.outbox import SideEffect
from bridge.store.tables import SlaClock
from tests.slack.workspace import ALICE, add_escalation, add_ticket, command


def test_help_shows_how_to_escalate_and_ask_for_status(client: FlaskClient) -> None:
    for text in ("help", ""):
        response = command(client, text)
        assert response.status_code == 200
        assert "`/escalate <ticket> [reason]`" in response.json["text"]
        assert "`/escalate status <ticket>`" in response.json["text"]


def test_an_escalation_without_a_ticket_is_refused_with_the_reason(client, inbox) -> None:
    response = command(client, "customer is furious about exports")
    assert response.json["text"].startswith("An escalation needs an existing ticket")
    assert inbox() == []


def test_an_unknown_ticket_gets_a_clear_error(client: FlaskClient, sandbox) -> None:
    response = command(client, "4521 data loss")
    assert response.status_code == 200
    assert response.json["text"].startswith("No ticket `4521` is known to the bridge.")
    assert sandbox.slack.world.views == {}


def test_a_ticket_with_an_open_escalation_gets_no_second_form(
    client: FlaskClient, runtime: Runtime, sandbox, inbox
) -> None:
    with runtime.sessions.begin() as session:
        escalation_id = add_escalation(session, add_ticket(session, "4521")).id
    response = command(client, "4521 still losing data")
    assert response.json["text"] == (
        f"Ticket zendesk:4521 is already escalated: escalation {escalation_id} is open."
    )
    assert sandbox.slack.world.views == {}
    assert inbox() == []


def test_a_number_in_two_helpdesks_asks_which_one(client: FlaskClient, runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "77", helpdesk="zendesk")
        add_ticket(session, "77", helpdesk="freshdesk")
    answer = command(client, "status 77").json["text"]
    assert (
        answer == "`77` names several tickets (`freshdesk:77`, `zendesk:77`); say which helpdesk."
    )
    assert command(client, "status zendesk:77").json["text"].startswith("*Ticket zendesk:77*")


def test_status_shows_state_level_engineer_and_links(client: FlaskClient, runtime) -> None:
    with runtime.sessions.begin() as session:
        add_escalation(session, add_ticket(session, "4521"))
    response = command(client, "status 4521")
    assert response.status_code == 200
    lines = response.json["text"].splitlines()
    assert lines[1].endswith("*active*, level 2 (account manager), classified Urgent")
    assert lines[2] == "Escalation engineer: Erin Escalation"
    assert lines[3] == "Opened 2026-01-05 09:30 UTC, last change 2026-01-05 09:30 UTC"
    assert lines[4] == "SLA acknowledge: breached, due Mon 05 Jan 13:30 UTC"
    assert lines[5] == "AR in jira: <https://jira.example.com/browse/DEV-42|DEV-42> (open)"
    assert response.json["response_type"] == "ephemeral"


def test_status_mentions_a_slack_engineer_and_shows_a_typed_one_as_text(
    client: FlaskClient, runtime
) -> None:
    """Slack shows a mention as the engineer's display name; a name typed into the API
    pings nobody."""
    with runtime.sessions.begin() as session:
        add_escalation(session, add_ticket(session, "4521"), engineer="U0ERIN0001")
        add_escalation(session, add_ticket(session, "4522"), "DEV-43", engineer="<!channel> Erin")
    mentioned = command(client, "status 4521").json["text"].splitlines()
    typed = command(client, "status 4522").json["text"].splitlines()
    assert mentioned[2] == "Escalation engineer: <@U0ERIN0001>"
    assert typed[2] == "Escalation engineer: &lt;!channel&gt; Erin"


def test_status_of_a_ticket_never_escalated_says_so(client: FlaskClient, runtime) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "88")
    text = command(client, "status #88").json["text"]
    assert "Not escalated." in text


def test_list_shows_open_escalations_most_urgent_first_with_each_clock_state(
    client: FlaskClient, runtime: Runtime
) -> None:
    with runtime.sessions.begin() as session:
        overdue = add_escalation(session, add_ticket(session, "4521"))
        later = add_escalation(session, add_ticket(session, "4522"), ar="DEV-43")
        later.document = {"requested_by": ALICE}
        clock = session.get(SlaClock, f"esc-{later.id}:acknowledge")
        clock.due_at = dt.datetime(2099, 1, 5, 13, 30, tzinfo=dt.UTC)
        at_risk = clock.due_at - dt.timedelta(hours=1)
        clock.document = {
            **clock.document,
            "due_at": clock.due_at.isoformat(),
            "at_risk_at": at_risk.isoformat(),
        }
        closed = add_escalation(session, add_ticket(session, "4523"), ar="DEV-44")
        closed.state = "closed"

    answer = command(client, "list")
    lines = answer.json["text"].splitlines()
    assert answer.json["response_type"] == "ephemeral"
    assert lines == [
        "*Open escalations*, the most urgent first",
        f"• #{overdue.id} `zendesk:4521` Export fails for large files — Customer Ltd: active, "
        "level 2, Erin Escalation; "
        "*SLA overdue* since Mon 05 Jan 13:30 UTC (acknowledge breached)",
        f"• #{later.id} `zendesk:4522` Export fails for large files — Customer Ltd: active, "
        "level 2, Erin Escalation; "
        "next SLA due Mon 05 Jan 13:30 UTC (acknowledge running)",
    ]

    mine = command(client, "mine").json["text"].splitlines()
    assert mine[0] == "*Your open escalations*"
    assert [line.split(" ")[1] for line in mine[1:]] == [f"#{later.id}"]
    assert command(client, "mine", user="U0NOBODY01").json["text"] == (
        "No open escalation is yours."
    )


def test_list_warns_when_side_effects_gave_up(client: FlaskClient, runtime: Runtime) -> None:
    now = dt.datetime.now(dt.UTC)
    with runtime.sessions.begin() as session:
        effect = SideEffect("slack:dead:1", "slack", "thread_reply", {"channel": "C0GONE0001"})
        row_id = runtime.outbox.add(session, effect, now)
    assert row_id is not None
    runtime.outbox.claim(row_id, "test", now, dt.timedelta(minutes=1))
    runtime.outbox.bury(row_id, "test", "slack: channel_not_found", now)

    text = command(client, "list").json["text"]
    assert text.splitlines()[-1] == (
        ":warning: 1 side effect(s) of the bridge gave up (Slack posts, tracker or helpdesk "
        "writes): `support-bridge doctor` names the cause, then `support-bridge replay --dead`."
    )
