"""The procedure's steps as Slack forms submit them: each taken through the same service as the
API, the thread and the head message told, and a refusal answered to whoever sent the form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import tables
from bridge.store.escalations import EscalationStore

from .conftest import add_ticket
from .test_inbound_processors import escalations, outbox, slack_request, stored


@pytest.fixture
def runtime(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """With Zendesk and Jira configured, so that what a step says to the customer, and the
    SPAR it files, are planned for them."""
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("BRIDGE_CONNECTORS__ZENDESK__URL", "https://acme.zendesk.example")
    monkeypatch.setenv("BRIDGE_CONNECTORS__ZENDESK__EMAIL", "bot@acme.example")
    monkeypatch.setenv("BRIDGE_CONNECTORS__ZENDESK__API_TOKEN", "token")
    monkeypatch.setenv("BRIDGE_CONNECTORS__JIRA__URL", "https://acme.atlassian.example")
    monkeypatch.setenv("BRIDGE_CONNECTORS__JIRA__EMAIL", "bot@acme.example")
    monkeypatch.setenv("BRIDGE_CONNECTORS__JIRA__API_TOKEN", "token")
    runtime = bootstrap(load_settings())
    yield runtime
    runtime.close()


def submitted(runtime: Runtime, step: str, escalation_id: int, user: str, **answers: Any) -> str:
    form = {"step": step, "escalation_id": str(escalation_id), "user": user, "answers": answers}
    return runtime.services.slack_processor(stored(runtime, "slack", f"step.{step}", form))


def escalated(runtime: Runtime) -> int:
    add_ticket(runtime)
    runtime.services.slack_processor(
        stored(runtime, "slack", "escalation_request", slack_request())
    )
    [escalation] = escalations(runtime)
    return escalation.id


def thread(runtime: Runtime) -> list[str]:
    return [row.payload["text"] for row in outbox(runtime, "thread_reply")]


def test_engineer_plan_and_the_customers_answer_are_taken_from_slack(runtime: Runtime) -> None:
    escalation_id = escalated(runtime)

    assert submitted(runtime, "assign_engineer", escalation_id, "U0LEAD0001", engineer="U0ENG00001")
    [row] = escalations(runtime)
    assert (row.state, row.document["engineer"]) == ("active", "U0ENG00001")
    assert "<@U0ENG00001> is the escalation engineer and primary contact" in thread(runtime)
    heads = outbox(runtime, "upsert_escalation_message")
    assert heads[-1].payload["summary"]["engineer"] == "U0ENG00001"

    plan = {"kind": "patch", "delivery_date": "2026-12-20", "summary": "Hotfix 4.2.1"}
    assert submitted(runtime, "propose_plan", escalation_id, "U0ENG00001", **plan) == "done"
    assert escalations(runtime)[0].state == "plan_proposed"
    replies = [r.payload["text"] for r in outbox(runtime, "public_reply")]
    assert "Action plan (patch, delivery 2026-12-20): Hotfix 4.2.1" in replies

    submitted(
        runtime,
        "customer_answer",
        escalation_id,
        "U0ENG00001",
        answer="rejected",
        reason="a patch cannot go in before the quarter closes",
    )
    assert escalations(runtime)[0].state == "renegotiating"  # back to development at once
    assert any("rejected plan-1: a patch cannot go in" in text for text in thread(runtime))
    assert any(text.startswith("Renegotiating the action plan") for text in thread(runtime))

    second = {"kind": "workaround", "summary": "Pause the export; fix in 4.3"}
    submitted(runtime, "propose_plan", escalation_id, "U0ENG00001", **second)
    submitted(runtime, "customer_answer", escalation_id, "U0ENG00001", answer="accepted")
    assert escalations(runtime)[0].state == "plan_accepted"


def test_spar_rca_and_de_escalation_from_slack(runtime: Runtime) -> None:
    escalation_id = escalated(runtime)
    submitted(runtime, "assign_engineer", escalation_id, "U0LEAD0001", engineer="U0ENG00001")
    submitted(runtime, "file_spar", escalation_id, "U0ENG00001", severity="2")
    [record] = outbox(runtime, "create_record")
    assert record.target == "jira"
    # The severity agreed with the customer is the one filed; the ticket's (1) is named beside.
    assert record.payload["spec"]["severity"] == "2"
    assert record.payload["spec"]["facts"]["Ticket severity"] == "1 (critical)"
    assert any("opened (severity 2); filing it in jira" in text for text in thread(runtime))

    submitted(runtime, "rca_progress", escalation_id, "U0ENG00001", on_track="on_track")
    plan = {"kind": "workaround", "summary": "Pause the export"}
    submitted(runtime, "propose_plan", escalation_id, "U0ENG00001", **plan)
    submitted(runtime, "customer_answer", escalation_id, "U0ENG00001", answer="accepted")
    submitted(runtime, "de_escalate", escalation_id, "U0MGR00001", agreement="agreed on the call")

    assert escalations(runtime)[0].state == "de_escalated"
    assert outbox(runtime, "direct_message") == []  # nothing was refused


def test_an_internal_status_update_is_a_note_the_customer_does_not_see(runtime) -> None:
    escalation_id = escalated(runtime)
    submitted(
        runtime,
        "status_update",
        escalation_id,
        "U0ENG00001",
        text="Reproduced on 4.2; fix in review",
        visibility="internal",
    )

    notes = [row.payload["text"] for row in outbox(runtime, "internal_note")]
    assert "Reproduced on 4.2; fix in review" in notes
    assert all("Reproduced" not in r.payload["text"] for r in outbox(runtime, "public_reply"))
    assert "Status update (internal): Reproduced on 4.2; fix in review" in thread(runtime)


def test_a_step_the_procedure_refuses_is_answered_with_what_is_missing(runtime) -> None:
    escalation_id = escalated(runtime)
    assert (
        submitted(runtime, "de_escalate", escalation_id, "U0MGR00001", agreement="customer agrees")
        == "done"
    )

    [message] = outbox(runtime, "direct_message")
    assert message.payload["user"] == "U0MGR00001"
    assert message.payload["text"].startswith("Could not de-escalate:")
    assert "no action plan has been accepted" in message.payload["text"]
    assert escalations(runtime)[0].state == "triaged"  # nothing half-applied


def test_a_form_for_an_unknown_escalation_is_answered_not_raised(runtime: Runtime) -> None:
    assert submitted(runtime, "close", 999_999, "U0MGR00001", agreement="ok") == "done"
    [message] = outbox(runtime, "direct_message")
    assert "Could not close" in message.payload["text"]
    with runtime.sessions() as session:
        assert session.query(tables.Escalation).count() == 0


def timeline(runtime: Runtime, escalation_id: int) -> dict[str, str]:
    with runtime.sessions() as session:
        return {event.step: event.note for event in EscalationStore(session).history(escalation_id)}


def test_the_review_from_the_slack_modal_is_in_the_timeline(runtime: Runtime) -> None:
    escalation_id = escalated(runtime)
    assert timeline(runtime, escalation_id)["review"] == (
        "Is the problem statement correct? yes. "
        "Does the ticket describe the business impact? yes. "
        "If there is a workaround, is it impractical or inappropriate? there is no workaround. "
        "Is a critical milestone date identified? none identified."
    )


def test_the_remote_session_of_an_urgent_escalation_is_taken_from_slack(runtime) -> None:
    escalation_id = escalated(runtime)
    assert escalations(runtime)[0].classification == "urgent"
    outcome = "Reproduced the lost rows on the customer's server; logs collected"
    assert (
        submitted(
            runtime,
            "remote_session",
            escalation_id,
            "U0ENG00001",
            held_on="2026-11-16",
            attendees="Dana Ops, Erin Vendor",
            outcome=outcome,
        )
        == "done"
    )
    note = f"held 2026-11-16 00:00 UTC with Dana Ops, Erin Vendor: {outcome}"
    assert timeline(runtime, escalation_id)["remote_session"] == note
    [row] = escalations(runtime)
    assert row.document["remote_sessions"][0]["attendees"] == ["Dana Ops", "Erin Vendor"]
    said = f"Remote session on 2026-11-16 00:00 UTC with Dana Ops, Erin Vendor: {outcome}"
    assert f"{said} (<@U0ENG00001>)" in thread(runtime)
    assert said in [r.payload["text"] for r in outbox(runtime, "internal_note")]


def test_a_remote_session_on_a_high_priority_escalation_is_refused_to_the_sender(runtime) -> None:
    add_ticket(runtime)
    high = slack_request(production_down=False, core_functionality_severely_affected=False)
    runtime.services.slack_processor(stored(runtime, "slack", "escalation_request", high))
    [escalation] = escalations(runtime)
    assert escalation.classification == "high_priority"
    answers = {"held_on": "2026-11-16", "attendees": "Dana", "outcome": "looked at it"}
    assert submitted(runtime, "remote_session", escalation.id, "U0ENG00001", **answers) == "done"
    [message] = outbox(runtime, "direct_message")
    assert message.payload["user"] == "U0ENG00001"
    assert message.payload["text"].startswith("Could not record the remote session:")
    assert "a remote session is a step of an Urgent escalation" in message.payload["text"]
    assert "remote_session" not in timeline(runtime, escalation.id)


def test_a_form_naming_an_id_no_escalation_can_have_is_answered_not_failed(runtime) -> None:
    assert submitted(runtime, "close", 99_999_999_999_999_999_999, "U0MGR00001", agreement="ok")
    [message] = outbox(runtime, "direct_message")
    assert message.payload["text"] == "That button belongs to no escalation the bridge knows."


def test_filing_a_spar_without_its_tracker_is_answered_to_the_engineer(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    bare = bootstrap(load_settings())
    try:
        escalation_id = escalated(bare)
        assert submitted(bare, "file_spar", escalation_id, "U0ENG00001") == "done"
        [message] = outbox(bare, "direct_message")
        assert "connectors.jira is not set" in message.payload["text"]
    finally:
        bare.close()
