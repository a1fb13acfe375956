"""A bridge served over loopback HTTP beside the sandbox, its webhooks signed by the sandbox."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from jira import JIRA

from bridge.config import load_settings
from bridge.connectors import retry
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import installed_budgets, register_connectors
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from tests.helpers import running_sandbox, settle, write_sandbox_config
from tests.webhooks.signing import secret_variable
from webhooks.app import create_app


@dataclass
class Bridge:
    runtime: Runtime
    url: str

    def settle(self, rounds: int = 20, *, reverse: bool = False) -> None:
        """Process every stored delivery and perform every side effect, as the worker does;
        ``reverse`` processes the deliveries newest first, as if they had arrived reordered."""
        settle(self.runtime, rounds, reverse=reverse)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@contextmanager
def served_bridge(
    sandbox: Sandbox,
    directory: Path,
    monkeypatch: pytest.MonkeyPatch,
    signed_by: Iterable[str] = ("jira", "zendesk", "github"),
    wide: Iterable[str] = ("slack:channel",),
    vendors: Iterable[str] = ("jira", "slack", "zendesk"),
) -> Iterator[Bridge]:
    """A bridge on SQLite wired to the sandbox's Jira, Slack and Zendesk, taking the webhooks of
    ``signed_by`` at its own web server (Jira's registered with the sandbox); ``vendors`` are the
    connectors configured. The budgets named
    in ``wide`` are widened: Slack's one message a second per channel is kept by the connectors,
    and a story posting a dozen thread replies would wait on it."""
    write_sandbox_config(sandbox, directory, vendors)
    for vendor in signed_by:
        monkeypatch.setenv(secret_variable(vendor), sandbox.webhook_secrets[vendor])
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    retry.set_testing(True, attempts=2)
    runtime = bootstrap(settings)
    gate = RateGate.from_url(None, rates=installed_budgets())
    for budget in wide:
        gate.set_rate(budget, "100/second")
    register_connectors(runtime, gate)
    server = BackgroundServer(create_app(runtime=runtime))
    server.start()
    sandbox.register_webhook("jira", f"{server.url}/webhooks/jira")
    try:
        yield Bridge(runtime, server.url)
    finally:
        server.stop()
        runtime.close()
        retry.set_testing(False)


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    with served_bridge(sandbox, isolated_settings, monkeypatch) as served:
        yield served


class Developer:
    """Development's side, through the real Jira client and the sandbox's release button."""

    def __init__(self, sandbox: Sandbox) -> None:
        credentials = sandbox.credentials["jira"]
        self.url = sandbox.urls["jira"]
        # A developer's own account: the bridge recognises its own writes and ignores them.
        developer = (credentials["developer_email"], credentials["developer_api_token"])
        self.jira = JIRA(server=self.url, basic_auth=developer)

    def release(self, ar: str, version: str, project: str = "DEV") -> None:
        made = self.jira.create_version(version, project=project)
        self.jira.issue(ar).update(fields={"fixVersions": [{"name": version}]})
        requests.post(f"{self.url}/_sandbox/versions/{made.id}/release", timeout=10)


def jira_comments(sandbox: Sandbox, key: str) -> list[str]:
    issue = sandbox.jira.world.issue(key)
    assert issue is not None, f"no Jira issue {key}"
    return [comment.body for comment in issue.comments]
