"""The bridge with Slack switched on, talking to the sandbox's Slack Web API."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bridge.runtime import Runtime
from bridge.store.tables import InboxRow
from sandbox import Sandbox
from tests.helpers import inbox_rows, migrated_runtime
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
    with migrated_runtime() as runtime:
        yield runtime


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def inbox(runtime: Runtime) -> Callable[[], list[InboxRow]]:
    return lambda: inbox_rows(runtime)
