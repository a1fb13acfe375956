"""The bridge with Slack switched on, talking to the sandbox's Slack Web API."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.tables import InboxRow
from sandbox import Sandbox
from tests.webhooks.signing import SECRETS
from webhooks.app import create_app


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def roles() -> dict[str, str]:
    """Who may press which button: BRIDGE_ROLES__* settings, empty by default."""
    return {}


@pytest.fixture
def runtime(
    sandbox: Sandbox, roles: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    monkeypatch.setenv("BRIDGE_SLACK_SIGNING_SECRET", SECRETS["slack"])
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", sandbox.credentials["slack"]["token"])
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BASE_URL", sandbox.urls["slack"] + "/api/")
    for role, allowed in roles.items():
        monkeypatch.setenv(f"BRIDGE_ROLES__{role.upper()}", allowed)
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def inbox(runtime: Runtime) -> Callable[[], list[InboxRow]]:
    def rows() -> list[InboxRow]:
        with runtime.sessions() as session:
            return list(session.scalars(select(InboxRow).order_by(InboxRow.id)))

    return rows
