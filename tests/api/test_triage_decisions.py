"""What POST /api/escalations decides from the request: an override of the advice against
escalating is told in the escalation's Slack thread, and a go-live or upgrade due today or
tomorrow that cannot complete is Urgent (002)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from bridge.config import Settings
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.escalation.policy import snapshot

from ..services.conftest import add_ticket
from ..services.test_inbound_processors import outbox
from .test_escalations_api import AUTH, client, request_body, runtime  # noqa: F401 - fixtures


def test_an_override_of_the_advice_is_told_in_the_escalations_thread(
    runtime: Runtime,  # noqa: F811 - the fixture
    client: FlaskClient,  # noqa: F811 - the fixture
) -> None:
    add_ticket(runtime, replied=False, opened_at=utcnow() - dt.timedelta(hours=1))
    why = "the warehouse stops shipping tonight <@U0BOSS>"
    body = request_body(override_justification=why, requested_by="U-ANNA")
    assert client.post("/api/escalations", json=body, headers=AUTH).status_code == 201
    [opened] = [row.payload["text"] for row in outbox(runtime, "thread_reply")]
    assert opened.endswith(
        "Escalated against the advice (support has not answered this ticket yet; give them a "
        "chance to work on it first) by U-ANNA: the warehouse stops shipping tonight "
        "&lt;@U0BOSS&gt;"
    )


def policy_today(settings: Settings) -> dt.date:
    """Today where the default calendar is: the day the triage classifies against."""
    zone = snapshot(settings, None).calendar.zone
    return utcnow().astimezone(zone).date()


def go_live(due: dt.date | None, **answers: object) -> dict:
    """Nothing else urgent: production up, core business not seriously affected."""
    dated = {"go_live_effect": "the upgrade window closes tonight"} if due else {}
    return {"go_live_or_upgrade_date": due.isoformat() if due else None, **dated, **answers}


@pytest.mark.parametrize(
    ("days_ahead", "can_complete", "classification"),
    [
        (0, False, "urgent"),
        (1, False, "urgent"),
        (0, True, "high_priority"),
        (2, False, "high_priority"),
        (0, None, "high_priority"),  # left out: it can complete
    ],
)
def test_a_go_live_due_today_or_tomorrow_that_cannot_complete_is_urgent(
    runtime: Runtime,  # noqa: F811 - the fixture
    client: FlaskClient,  # noqa: F811 - the fixture
    days_ahead: int,
    can_complete: bool | None,
    classification: str,
) -> None:
    add_ticket(runtime)
    due = policy_today(runtime.settings) + dt.timedelta(days=days_ahead)
    answer = {} if can_complete is None else {"go_live_can_complete": can_complete}
    body = request_body(triage=go_live(due, **answer))
    created = client.post("/api/escalations", json=body, headers=AUTH)
    assert created.status_code == 201, created.json
    assert (created.json["state"], created.json["classification"]) == ("triaged", classification)


def test_whether_a_go_live_can_complete_is_a_yes_or_no_asked_only_with_its_date(
    runtime: Runtime,  # noqa: F811 - the fixture
    client: FlaskClient,  # noqa: F811 - the fixture
) -> None:
    add_ticket(runtime)
    undated = request_body(triage=go_live(None, go_live_can_complete=False))
    refused = client.post("/api/escalations", json=undated, headers=AUTH)
    assert refused.status_code == 422
    assert refused.json["problems"] == [
        "triage.go_live_can_complete: Value error, answer it only with a go_live_or_upgrade_date"
    ]
    vague = request_body(
        triage=go_live(policy_today(runtime.settings), go_live_can_complete="perhaps")
    )
    unreadable = client.post("/api/escalations", json=vague, headers=AUTH)
    assert unreadable.status_code == 422
    [problem] = unreadable.json["problems"]
    assert problem.startswith("triage.go_live_can_complete: Input should be a valid boolean")
    assert client.get("/api/escalations", headers=AUTH).json["escalations"] == []
