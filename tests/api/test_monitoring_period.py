"""POST /api/escalations/<id>/monitoring-period: the period a fix is monitored for, agreed with
the customer (002), in place of the configured one; refused outside monitoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from bridge.config import load_settings
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime, bootstrap
from bridge.services.closing.links import ACCEPT
from bridge.store import migrate, tables
from webhooks.app import create_app

from ..closure.conftest import planned
from ..closure.pages import shipped_to

TOKEN = "api-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def runtime(
    database_url: str, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    """With Zendesk configured (never called), so the customer's notices are planned for it."""
    zendesk = {"url": "https://acme.zendesk.example", "email": "bot@acme.example", "api_token": "t"}
    config = {"connectors": {"zendesk": zendesk}}
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    migrate.upgrade(database_url)
    built = bootstrap(load_settings())
    yield built
    built.close()


@pytest.fixture
def client(runtime: Runtime) -> FlaskClient:
    return create_app(runtime=runtime).test_client()


def agree(client: FlaskClient, escalation_id: int, **body: object) -> object:
    return client.post(
        f"/api/escalations/{escalation_id}/monitoring-period",
        json={"by": "U0MANAGER1", **body},
        headers=AUTH,
    )


def test_the_period_agreed_through_the_api_is_the_one_monitored(
    runtime: Runtime, client: FlaskClient
) -> None:
    escalation_id = shipped_to(runtime, "811")
    until = (utcnow() + dt.timedelta(days=5)).replace(microsecond=0)
    early = agree(client, escalation_id, until=until.isoformat(), agreement="Dana: five days")
    assert early.status_code == 409
    assert early.json == {
        "error": "MonitoringPeriodRefused",
        "detail": f"escalation {escalation_id} is not being monitored",
    }
    with runtime.sessions() as session:
        notice_id = session.query(tables.Notice.id).scalar()
    runtime.services.closure.record_answer(notice_id, ACCEPT, by="customer", now=utcnow())

    naive = agree(client, escalation_id, until="2099-01-01T00:00:00", agreement="Dana")
    assert naive.status_code == 422
    assert naive.json["problems"][0].startswith("until: Input should have timezone info")

    agreed = agree(client, escalation_id, until=until.isoformat(), agreement="Dana: five days")
    assert agreed.status_code == 200, agreed.json
    assert agreed.json["state"] == "monitoring"
    last = agreed.json["history"][-1]
    assert (last["step"], last["actor"]) == ("agree_monitoring_period", "U0MANAGER1")
    assert last["note"] == f"monitoring until {until.isoformat()}, agreed: Dana: five days"
    told = [row.payload["text"] for row in planned(runtime, "public_reply")]
    assert told[-1] == (
        f"As agreed with you, we monitor the fix until {until:%Y-%m-%d %H:%M} UTC; then, with "
        "your agreement, the escalation is closed."
    )

    monitoring = runtime.services.monitoring
    assert monitoring.monitoring_tick(until - dt.timedelta(seconds=1)) == 0
    assert monitoring.monitoring_tick(until) == 1
