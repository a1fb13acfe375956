"""Health, readiness and metrics say what an operator needs, naming what is broken."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from huey import RedisHuey

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store import migrate
from bridge.store.inbox import Delivery
from tests.helpers import migrated_runtime
from webhooks.app import create_app


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    with migrated_runtime() as runtime:
        yield runtime


@pytest.fixture
def client(runtime: Runtime) -> FlaskClient:
    return create_app(runtime=runtime).test_client()


def test_healthz_answers_while_the_process_is_up(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_ready_when_database_migrations_and_queue_are(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "queue": "ok"},
    }


def test_readyz_names_migrations_that_are_behind(runtime: Runtime, client) -> None:
    behind = migrate.downgrade(runtime.settings.resolved_database_url)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == (
        f"schema at revision {behind}, code needs {migrate.head_revision()}"
    )


def test_readyz_names_an_unreachable_queue(runtime: Runtime) -> None:
    runtime.huey = RedisHuey("unreachable", url="redis://127.0.0.1:9/0")
    response = create_app(runtime=runtime).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["queue"].startswith("redis queue unreachable")
    assert response.json["checks"]["database"] == "ok"


def test_readyz_names_an_unreachable_database(monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", "postgresql://bridge:pw@127.0.0.1:9/bridge")
    app = create_app()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith(
        "cannot reach postgresql+psycopg://bridge:***@127.0.0.1:9/bridge"
    )


def test_metrics_show_requests_and_inbox_rows_by_status(runtime: Runtime, client) -> None:
    runtime.inbox.store(Delivery("github", "d-1", "issues", b"{}"), utcnow())
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'bridge_http_requests_total{endpoint="/healthz",method="GET",status="200"} 1.0' in text
    assert 'bridge_inbox_rows{status="pending"} 1.0' in text
    assert "bridge_dead_letters 0.0" in text
    assert "bridge_queue_depth 0.0" in text


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    assert len(client.get("/healthz").headers["X-Request-Id"]) == 32
    echoed = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert echoed.headers["X-Request-Id"] == "abc-123"


def test_an_unknown_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_methods_a_client_invents_are_counted_together(client) -> None:
    for method in ("BREW", "WHEN", "PROPFIND"):
        assert client.open("/healthz", method=method).status_code == 405
    text = client.get("/metrics").get_data(as_text=True)
    assert (
        'bridge_http_requests_total{endpoint="unmatched",method="other",status="405"} 3.0' in text
    )
    assert "BREW" not in text
