"""The bridge with Slack switched on, talking to the sandbox's Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.runtime import Runtime
from sandbox import Sandbox
from tests.helpers import migrated_runtime
from tests.webhooks.signing import SECRETS


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def roles() -> dict[str, str]:
    """Who may press which button: BRIDGE_ROLES__* settings, empty by default."""
    return {}


@pytest.fixture
def pinned() -> dict[str, str]:
    """The workspace the bridge serves: connectors.slack.team_id / enterprise_id, unset by
    default (any workspace)."""
    return {}


@pytest.fixture
def runtime(
    sandbox: Sandbox,
    roles: dict[str, str],
    pinned: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    monkeypatch.setenv("BRIDGE_SLACK_SIGNING_SECRET", SECRETS["slack"])
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", sandbox.credentials["slack"]["token"])
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BASE_URL", sandbox.urls["slack"] + "/api/")
    for key, value in pinned.items():
        monkeypatch.setenv(f"BRIDGE_CONNECTORS__SLACK__{key.upper()}", value)
    for role, allowed in roles.items():
        monkeypatch.setenv(f"BRIDGE_ROLES__{role.upper()}", allowed)
    with migrated_runtime() as runtime:
        yield runtime
