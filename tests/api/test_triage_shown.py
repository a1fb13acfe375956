"""GET /api/escalations/<id> shows the triage answers the escalation was opened with: the
same names as the request takes them, an answer not given as null, customer text as typed."""

from __future__ import annotations

from flask.testing import FlaskClient

from bridge.domain.enums import EntryPoint, ReasonCategory
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest

from ..services.conftest import add_ticket
from .test_escalations_api import AUTH, client, escalate, runtime

__all__ = ["client", "runtime"]  # the fixtures of the neighbouring tests

HOSTILE_HOURS = "<!channel> <script>alert(1)</script>"


def test_an_escalation_shows_its_triage_answers(runtime: Runtime, client: FlaskClient) -> None:
    add_ticket(runtime)
    triage = {
        "production_down": True,
        "acceptable_workaround": False,
        "anticipated_financial_loss": "about USD 40k a day",
        "users_affected": 250,
        "go_live_or_upgrade_date": "2026-12-14",
        "go_live_effect": "the cutover waits for whole exports",
        "contact": {
            "phone": "+1 555 0100",
            "email": "dana@customer.example",
            "hours_of_availability": HOSTILE_HOURS,
        },
    }
    created = escalate(client, triage=triage)

    shown = client.get(f"/api/escalations/{created['id']}", headers=AUTH)
    assert shown.status_code == 200
    assert shown.json["triage"] == {
        "production_down": True,
        "acceptable_workaround": False,
        "core_functionality_severely_affected": None,
        "anticipated_financial_loss": "about USD 40k a day",
        "users_affected": 250,
        "go_live_or_upgrade_date": "2026-12-14",
        "go_live_effect": "the cutover waits for whole exports",
        "contact": {
            "phone": "+1 555 0100",
            "email": "dana@customer.example",
            "hours_of_availability": HOSTILE_HOURS,
        },
    }
    # Data, not markup: the text comes back as typed, in JSON, for a client to escape.
    assert shown.content_type == "application/json"
    assert created["triage"] == shown.json["triage"]  # the answer to the request shows it too


def test_unanswered_questions_are_null(runtime: Runtime, client: FlaskClient) -> None:
    add_ticket(runtime)
    created = escalate(client)  # the required answers only; no go-live at stake
    triage = client.get(f"/api/escalations/{created['id']}", headers=AUTH).json["triage"]
    assert triage["production_down"] is False
    assert triage["anticipated_financial_loss"] is None
    assert triage["acceptable_workaround"] is None
    assert (triage["go_live_or_upgrade_date"], triage["go_live_effect"]) == (None, None)
    assert triage["users_affected"] == 40


def test_an_escalation_opened_without_answers_has_a_null_triage(
    runtime: Runtime, client: FlaskClient
) -> None:
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(
        EscalationRequest(
            "4711",
            ReasonCategory.DATA_LOSS,
            "orders lost",
            "U-ANNA",
            EntryPoint.TICKET_TYPE_CHANGED,
            "test",
        ),
        utcnow(),
    )
    shown = client.get(f"/api/escalations/{escalation_id}", headers=AUTH).json
    assert shown["triage"] is None
