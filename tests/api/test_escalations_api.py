"""GET/POST /api/escalations: state, level, clocks, links and history, behind a bearer token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from bridge.config import load_settings
from bridge.runtime import Runtime
from bridge.store import migrate
from tests.helpers import migrated_runtime
from webhooks.app import create_app

from ..services.conftest import add_ticket

TOKEN = "api-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    with migrated_runtime() as runtime:
        yield runtime


@pytest.fixture
def client(runtime: Runtime) -> FlaskClient:
    return create_app(runtime=runtime).test_client()


def escalate(client: FlaskClient, ticket: str = "4711", **extra: str) -> dict:
    body = {"ticket": ticket, "reason": "data_loss", "requested_by": "U-ANNA", **extra}
    response = client.post("/api/escalations", json=body, headers=AUTH)
    assert response.status_code == 201, response.json
    return response.json


@pytest.mark.parametrize("token", [None, "", "  "])
def test_the_api_is_off_without_a_token(token: str | None, monkeypatch) -> None:
    if token is not None:
        monkeypatch.setenv("BRIDGE_API_TOKEN", token)
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    client = create_app(settings).test_client()
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {token}"}):
        response = client.get("/api/escalations", headers=headers)
        assert response.status_code == 404
        assert response.json == {
            "error": "api_disabled",
            "detail": "set BRIDGE_API_TOKEN to enable the API",
        }


def test_a_wrong_token_is_refused(client: FlaskClient) -> None:
    response = client.get("/api/escalations", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_an_escalation_shows_state_level_clocks_and_history(runtime, client) -> None:
    add_ticket(runtime)
    created = escalate(client)
    shown = client.get(f"/api/escalations/{created['id']}", headers=AUTH).json
    assert shown["ticket"] == {"helpdesk": "zendesk", "id": "4711"}
    assert shown["state"] == "requested"
    assert shown["level"] == 1
    assert [c["kind"] for c in shown["clocks"]] == ["acknowledge", "patch", "reply"]
    assert all(c["due_at"] for c in shown["clocks"])
    assert [event["step"] for event in shown["history"]][:1] == ["open"]
    assert shown["history"][0]["actor"] == "U-ANNA"
    assert shown["history"][0]["cause"].startswith("api:")


def test_an_unknown_ticket_is_a_404_naming_it(client: FlaskClient) -> None:
    response = client.post(
        "/api/escalations",
        json={"ticket": "777", "reason": "data_loss", "requested_by": "U-ANNA"},
        headers=AUTH,
    )
    assert response.status_code == 404
    assert response.json["error"] == "UnknownTicket"
    assert "777" in response.json["detail"]


def test_a_malformed_request_names_each_problem(client: FlaskClient) -> None:
    response = client.post("/api/escalations", json={"reason": "boredom"}, headers=AUTH)
    assert response.status_code == 422
    problems = response.json["problems"]
    assert any(p.startswith("ticket:") for p in problems)
    assert any(p.startswith("reason:") for p in problems)
    assert client.post("/api/escalations", data="{", headers=AUTH).status_code == 400


def test_an_illegal_step_is_a_409_with_the_domain_message(runtime, client) -> None:
    add_ticket(runtime)
    escalation_id = escalate(client)["id"]
    for _ in range(2):
        raised = client.post(
            f"/api/escalations/{escalation_id}/raise-level", json={"by": "U-ANNA"}, headers=AUTH
        )
        assert raised.status_code == 200
    assert raised.json["level"] == 3
    refused = client.post(
        f"/api/escalations/{escalation_id}/raise-level", json={"by": "U-ANNA"}, headers=AUTH
    )
    assert refused.status_code == 409
    assert refused.json["error"] == "LevelCeilingReached"


def test_the_list_filters_by_state_level_and_breach(runtime, client) -> None:
    add_ticket(runtime, "1")
    add_ticket(runtime, "2")
    first = escalate(client, "1")["id"]
    escalate(client, "2")
    client.post(f"/api/escalations/{first}/raise-level", json={"by": "U-ANNA"}, headers=AUTH)
    level_two = client.get("/api/escalations?level=2", headers=AUTH).json["escalations"]
    assert [e["id"] for e in level_two] == [first]
    assert (
        len(client.get("/api/escalations?state=requested", headers=AUTH).json["escalations"]) == 2
    )
    assert client.get("/api/escalations?breached=true", headers=AUTH).json["escalations"] == []
    assert client.get("/api/escalations?level=7", headers=AUTH).status_code == 400


URGENT = {"production_down": True, "acceptable_workaround": False}


def step(client: FlaskClient, escalation_id: int, path: str, **body: object) -> dict:
    response = client.post(
        f"/api/escalations/{escalation_id}/{path}", json={"by": "U-ANNA", **body}, headers=AUTH
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def test_the_lifecycle_runs_from_triage_through_renegotiation_to_de_escalation(
    runtime, client
) -> None:
    add_ticket(runtime)
    escalation_id = escalate(client, triage=URGENT)["id"]
    assert (
        client.get(f"/api/escalations/{escalation_id}", headers=AUTH).json["classification"]
        == "urgent"
    )
    assert step(client, escalation_id, "activate", engineer="U-ENG")["state"] == "active"
    assert (
        step(client, escalation_id, "plans", kind="workaround", summary="restart sync")["state"]
        == "plan_proposed"
    )
    assert (
        step(client, escalation_id, "plans/plan-1/reject", reason="too manual")["state"]
        == "plan_rejected"
    )
    assert step(client, escalation_id, "renegotiate")["state"] == "renegotiating"
    proposed = step(
        client, escalation_id, "plans", kind="patch", summary="fix", delivery_date="2026-12-01"
    )
    assert [p["id"] for p in proposed["plans"]] == ["plan-1", "plan-2"]
    assert step(client, escalation_id, "plans/plan-2/accept")["state"] == "plan_accepted"
    refused = client.post(
        f"/api/escalations/{escalation_id}/de-escalate",
        json={"by": "U-ANNA", "note": "agreed"},
        headers=AUTH,
    )
    assert refused.status_code == 409
    assert "root" in refused.json["detail"].lower()
    step(client, escalation_id, "rca", on_track=True)
    done = step(client, escalation_id, "de-escalate", note="customer agreed on the call")
    assert done["state"] == "de_escalated"
    steps = [event["step"] for event in done["history"]]
    assert steps[:3] == ["open", "triage", "activate"]
    assert steps[-1] == "de_escalate"
    assert done["history"][-1]["actor"] == "U-ANNA"


def test_a_release_plan_without_a_delivery_date_is_refused(runtime, client) -> None:
    add_ticket(runtime)
    escalation_id = escalate(client, triage=URGENT)["id"]
    step(client, escalation_id, "activate", engineer="U-ENG")
    refused = client.post(
        f"/api/escalations/{escalation_id}/plans",
        json={"by": "U-ANNA", "kind": "maintenance_release", "summary": "in 5.2"},
        headers=AUTH,
    )
    assert refused.status_code == 409
    assert "delivery date" in refused.json["detail"]


def test_filing_a_spar_without_the_routed_tracker_says_which_connector_to_set(
    runtime, client
) -> None:
    add_ticket(runtime)
    escalation_id = escalate(client)["id"]
    refused = client.post(
        f"/api/escalations/{escalation_id}/spar", json={"by": "U-ANNA"}, headers=AUTH
    )
    assert refused.status_code == 409
    assert refused.json == {
        "error": "tracker_not_configured",
        "detail": "routing files this ticket's SPAR in jira; connectors.jira is not set",
    }


def test_same_problem_outside_monitoring_is_refused_with_the_state(runtime, client) -> None:
    add_ticket(runtime)
    escalation_id = escalate(client, triage=URGENT)["id"]
    step(client, escalation_id, "activate", engineer="U-ENG")
    refused = client.post(
        f"/api/escalations/{escalation_id}/same-problem",
        json={"by": "U-ENG", "ticket": "4712"},
        headers=AUTH,
    )
    assert refused.status_code == 409
    assert refused.json["error"] == "IllegalTransition"
    assert "'active'" in refused.json["detail"]
