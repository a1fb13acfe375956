"""GET/POST /api/escalations: state, level, clocks, links and history, behind a bearer token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.config import load_settings
from bridge.domain.enums import EntryPoint, ReasonCategory
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest
from bridge.store import migrate, tables
from tests.helpers import API_REVIEW, API_TRIAGE, migrated_runtime
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


def request_body(ticket: str = "4711", **extra: object) -> dict:
    triage = {**API_TRIAGE, **extra.pop("triage", {})}  # type: ignore[dict-item]
    return {
        "ticket": ticket,
        "reason": "data_loss",
        "requested_by": "U-ANNA",
        "triage": triage,
        "review": API_REVIEW,
        **extra,
    }


def escalate(client: FlaskClient, ticket: str = "4711", **extra: object) -> dict:
    body = request_body(ticket, **extra)
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
    assert shown["state"] == "triaged"
    assert shown["classification"] == "high_priority"
    assert shown["level"] == 1
    assert [c["kind"] for c in shown["clocks"]] == ["acknowledge", "reply"]
    assert all(c["due_at"] for c in shown["clocks"])
    assert [event["step"] for event in shown["history"]][:1] == ["open"]
    assert shown["history"][0]["actor"] == "U-ANNA"
    assert shown["history"][0]["cause"].startswith("api:")


def test_an_unknown_ticket_is_a_404_naming_it(client: FlaskClient) -> None:
    response = client.post(
        "/api/escalations",
        json=request_body("777"),
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


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000, "[" * 100_000 + "]" * 100_000, '{"ticket": ' + "[" * 600 + "]" * 600 + "}"],
    ids=["unclosed", "closed", "inside-an-object"],
)
def test_json_nested_past_the_depth_limit_is_a_400_naming_it(client: FlaskClient, body) -> None:
    for path in ("/api/escalations", "/api/escalations/1/acknowledge"):
        response = client.post(
            path, data=body, headers={**AUTH, "Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json == {
            "error": "json_too_deep",
            "detail": "JSON nested deeper than 512 levels",
        }


@pytest.mark.parametrize(
    ("ticket", "problem"),
    [
        ("zendesk:../2", "a Zendesk ticket id is a positive whole number, not '../2'"),
        ("freshdesk:0", "a Freshdesk ticket id is a positive whole number, not '0'"),
        ("../2", "a ticket id is letters, digits"),
        ("intake:a:b", "a ticket id is letters, digits"),
        ("Zen Desk:4711", "a ticket is named as 4711 or helpdesk:4711, not 'Zen Desk:4711'"),
    ],
)
def test_a_ticket_no_helpdesk_could_have_is_refused_naming_the_format(
    runtime, client: FlaskClient, ticket: str, problem: str
) -> None:
    add_ticket(runtime)
    response = client.post("/api/escalations", json=request_body(ticket), headers=AUTH)
    assert response.status_code == 422
    [shown] = response.json["problems"]
    assert shown.startswith("ticket: Value error, " + problem)
    same = client.post(
        "/api/escalations/1/same-problem", json={"by": "U-ANNA", "ticket": ticket}, headers=AUTH
    )
    assert same.status_code == 422
    assert same.json["problems"] == [shown]
    assert client.get("/api/escalations", headers=AUTH).json == {"escalations": []}


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
    assert len(client.get("/api/escalations?state=triaged", headers=AUTH).json["escalations"]) == 2
    assert client.get("/api/escalations?breached=true", headers=AUTH).json["escalations"] == []
    assert client.get("/api/escalations?level=7", headers=AUTH).status_code == 400


def test_an_unknown_state_filter_is_a_400_naming_the_states(client: FlaskClient) -> None:
    response = client.get("/api/escalations?state=bogus", headers=AUTH)
    assert response.status_code == 400
    assert response.json["error"] == "bad_filter"
    assert response.json["detail"].startswith("state must be one of: requested, triaged,")


URGENT = {"production_down": True, "acceptable_workaround": False}


def step(client: FlaskClient, escalation_id: int, path: str, **body: object) -> dict:
    response = client.post(
        f"/api/escalations/{escalation_id}/{path}", json={"by": "U-ANNA", **body}, headers=AUTH
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def test_a_ticket_with_an_open_escalation_is_not_escalated_twice(runtime, client) -> None:
    add_ticket(runtime)
    first = escalate(client)["id"]
    second = client.post("/api/escalations", json=request_body(), headers=AUTH)
    assert second.status_code == 409
    assert second.json["error"] == "AlreadyEscalated"
    assert f"escalation {first} is open" in second.json["detail"]
    listed = client.get("/api/escalations", headers=AUTH).json
    assert [row["id"] for row in listed["escalations"]] == [first]
    step(client, first, "activate", engineer="U-ENG")
    step(client, first, "plans", kind="workaround", summary="restart sync")
    step(client, first, "plans/plan-1/accept")
    step(client, first, "rca", on_track=True)
    step(client, first, "de-escalate", note="customer agreed on the call")
    assert escalate(client)["id"] != first  # once it has ended, the ticket may be escalated again


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
    assert steps[:4] == ["open", "review", "triage", "activate"]
    assert steps[-1] == "de_escalate"
    assert done["history"][-1]["actor"] == "U-ANNA"
    assert done["history"][-1]["note"] == "agreed with U-ANNA: customer agreed on the call"


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


def test_a_request_without_the_required_triage_answers_names_each_missing_field(
    runtime, client
) -> None:
    add_ticket(runtime)
    body = request_body()
    body["triage"] = {"production_down": True, "contact": {"email": "dana@customer.example"}}
    refused = client.post("/api/escalations", json=body, headers=AUTH)
    assert refused.status_code == 422
    assert refused.json["error"] == "triage_incomplete"
    assert refused.json["missing"] == [
        "contact.phone",
        "contact.hours_of_availability",
        "users_affected",
        "go_live_or_upgrade_date",
    ]
    assert "contact.phone" in refused.json["detail"]
    without = request_body()
    del without["triage"]
    nothing = client.post("/api/escalations", json=without, headers=AUTH)
    assert nothing.status_code == 422
    assert "contact.email" in nothing.json["missing"]
    go_live = request_body(triage={"go_live_or_upgrade_date": "2026-12-01"})
    dated = client.post("/api/escalations", json=go_live, headers=AUTH)
    assert (dated.status_code, dated.json["missing"]) == (422, ["go_live_effect"])
    assert client.get("/api/escalations", headers=AUTH).json["escalations"] == []


def test_badly_typed_answers_and_an_unanswered_review_are_422s_naming_the_field(
    runtime, client
) -> None:
    add_ticket(runtime)
    typed = request_body(triage={"users_affected": "lots", "go_live_or_upgrade_date": "soon"})
    refused = client.post("/api/escalations", json=typed, headers=AUTH)
    assert refused.status_code == 422
    problems = refused.json["problems"]
    assert any(p.startswith("triage.users_affected:") for p in problems)
    assert any(p.startswith("triage.go_live_or_upgrade_date:") for p in problems)
    half = request_body()
    half["review"] = {"problem_statement_correct": True, "business_impact_described": True}
    unanswered = client.post("/api/escalations", json=half, headers=AUTH)
    assert unanswered.status_code == 422
    assert set(unanswered.json["problems"]) == {
        "review.workaround_impractical: Field required",
        "review.critical_milestone_date: Field required",
    }
    wrong = request_body()
    wrong["review"] = {**API_REVIEW, "business_impact_described": False}
    unfixed = client.post("/api/escalations", json=wrong, headers=AUTH)
    assert unfixed.status_code == 409
    assert unfixed.json["error"] == "ReviewNotPassed"
    assert "describe the business impact" in unfixed.json["detail"]


def test_the_triage_step_refuses_missing_answers_by_name(runtime, client) -> None:
    add_ticket(runtime)
    runtime.services.escalations.request(
        EscalationRequest(
            "4711", ReasonCategory.DATA_LOSS, "orders lost", "U-ANNA", EntryPoint.API, "test"
        ),
        utcnow(),
    )
    [listed] = client.get("/api/escalations", headers=AUTH).json["escalations"]
    path = f"/api/escalations/{listed['id']}/triage"
    refused = client.post(
        path, json={"by": "U-ANNA", "answers": {"production_down": True}}, headers=AUTH
    )
    assert refused.status_code == 422
    assert refused.json["missing"] == [
        "contact.phone",
        "contact.email",
        "contact.hours_of_availability",
        "users_affected",
        "go_live_or_upgrade_date",
    ]
    assert client.get(f"/api/escalations/{listed['id']}", headers=AUTH).json["state"] == "requested"
    done = step(client, listed["id"], "triage", answers={**API_TRIAGE, **URGENT})
    assert (done["state"], done["classification"]) == ("triaged", "urgent")


def test_the_timeline_shows_the_review_and_the_override_justification(runtime, client) -> None:
    add_ticket(runtime, replied=False, opened_at=utcnow() - dt.timedelta(hours=1))
    advised = client.post("/api/escalations", json=request_body(), headers=AUTH)
    assert advised.status_code == 409
    assert advised.json["error"] == "AdviceNotOverridden"
    created = escalate(client, override_justification="the warehouse stops shipping tonight")
    history = {event["step"]: event["note"] for event in created["history"]}
    assert history["override_advice"] == (
        "advised against (no_earlier_contact); justification: the warehouse stops shipping tonight"
    )
    assert history["review"] == (
        "Is the problem statement correct? yes. "
        "Does the ticket describe the business impact? yes. "
        "If there is a workaround, is it impractical or inappropriate? yes. "
        "Is a critical milestone date identified? 2026-12-01."
    )


def test_a_remote_session_is_refused_unless_the_escalation_is_urgent(runtime, client) -> None:
    add_ticket(runtime, "1")
    add_ticket(runtime, "2")
    high = escalate(client, "1")["id"]
    urgent = escalate(client, "2", triage=URGENT)["id"]
    held_at = (utcnow() - dt.timedelta(hours=2)).replace(microsecond=0)
    session = {
        "by": "U-ENG",
        "held_at": held_at.isoformat(),
        "attendees": ["Dana Ops", "Erin (vendor)"],
        "outcome": "reproduced the lost rows; logs collected",
    }
    path = "/api/escalations/{}/remote-session"
    refused = client.post(path.format(high), json=session, headers=AUTH)
    assert refused.status_code == 409
    assert refused.json["error"] == "RemoteSessionRefused"
    assert "high priority" in refused.json["detail"]
    assert "Urgent" in refused.json["detail"]

    recorded = client.post(path.format(urgent), json=session, headers=AUTH)
    assert recorded.status_code == 201, recorded.json
    [event] = [e for e in recorded.json["history"] if e["step"] == "remote_session"]
    assert event["actor"] == "U-ENG"
    assert event["note"] == (
        f"held {held_at:%Y-%m-%d %H:%M} UTC with Dana Ops, Erin (vendor): "
        "reproduced the lost rows; logs collected"
    )
    shown = client.get(f"/api/escalations/{urgent}", headers=AUTH).json
    assert "remote_session" in [e["step"] for e in shown["history"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_at": "2099-01-01T10:00:00+00:00"}, "held_at"),
        ({"held_at": "2026-11-16T10:00:00"}, "held_at"),  # no time zone
        ({"attendees": []}, "attendees"),
        ({"outcome": ""}, "outcome"),
        ({"held_at": "yesterday"}, "held_at"),
    ],
)
def test_a_bad_remote_session_is_a_422_naming_the_field(runtime, client, change, field) -> None:
    add_ticket(runtime)
    urgent = escalate(client, triage=URGENT)["id"]
    body = {
        "by": "U-ENG",
        "held_at": "2026-11-16T10:00:00+00:00",
        "attendees": ["Dana"],
        "outcome": "ok",
        **change,
    }
    refused = client.post(f"/api/escalations/{urgent}/remote-session", json=body, headers=AUTH)
    assert refused.status_code == 422
    assert any(p.startswith(f"{field}:") for p in refused.json["problems"])


@pytest.mark.parametrize(
    "escalation_id", ["99999999999999999999999", "2147483648", "0", "-1", "7a"]
)
def test_an_id_no_escalation_can_have_is_a_404_not_a_database_error(
    client: FlaskClient, escalation_id: str
) -> None:
    for method, path in (("GET", ""), ("POST", "/acknowledge"), ("POST", "/close")):
        response = client.open(
            f"/api/escalations/{escalation_id}{path}",
            method=method,
            json={"by": "U-ANNA", "outcome": "customer_satisfied"},
            headers=AUTH,
        )
        assert response.status_code == 404, (method, path, response.json)
        assert response.json["error"] == "not_found"


def test_the_largest_id_the_database_holds_is_looked_up_and_not_found(client: FlaskClient) -> None:
    response = client.get("/api/escalations/2147483647", headers=AUTH)
    assert response.status_code == 404
    assert response.json["error"] != "not_found"  # the escalation lookup answered, not routing


def test_text_typed_into_the_api_reaches_the_slack_thread_as_typed_never_as_markup(
    runtime, client
) -> None:
    """A status update, a plan and a de-escalation note are the staff's words: Slack shows
    them as typed, so `<!channel>` or a disguised link typed into the API pings and hides
    nothing, while the customer's copy on the ticket keeps the text unchanged."""
    hostile = "Fixed <!channel> & see <https://evil.example|the portal>"
    add_ticket(runtime)
    escalation_id = escalate(client)["id"]
    step(client, escalation_id, "activate", engineer="U-ENG")
    step(client, escalation_id, "status-update", text=hostile)
    step(client, escalation_id, "plans", kind="workaround", summary=hostile)
    step(client, escalation_id, "plans/plan-1/accept")
    step(client, escalation_id, "rca", on_track=True)
    step(client, escalation_id, "de-escalate", note=hostile)

    with runtime.sessions() as session:
        rows = session.scalars(
            select(tables.OutboxRow).where(tables.OutboxRow.operation == "thread_reply")
        )
        thread = [row.payload["text"] for row in rows]
    shown = "Fixed &lt;!channel&gt; &amp; see &lt;https://evil.example|the portal&gt;"
    told = [text for text in thread if shown in text]
    assert len(told) == 3, thread
    assert not [text for text in thread if "<!channel>" in text or "<https://evil" in text]
