"""Webhooks as the sandbox's vendors sign and send them, to the bridge over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from tests.webhooks.signing import fixture_json, secret_variable
from webhooks.app import create_app

DELIVERIES = [
    ("github", "issues", "github/webhooks/issues/opened.json"),
    ("github", "pull_request", "github/webhooks/pull_request/closed.not-merged.json"),
    ("jira", "jira:issue_updated", "jira/webhooks/jira_issue_updated.resolved.json"),
    ("jira", "jira:version_released", "jira/webhooks/jira_version_released.json"),
    (
        "zendesk",
        "messaging_ticket.message_added",
        "helpdesk/zendesk/webhook_event.messaging_ticket.message_added.json",
    ),
]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def bridge_url(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for vendor, secret in sandbox.webhook_secrets.items():
        if vendor != "slack":
            monkeypatch.setenv(secret_variable(vendor), secret)
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime: Runtime = bootstrap(settings)
    server = BackgroundServer(create_app(runtime=runtime))
    server.start()
    yield server.url
    server.stop()
    runtime.close()


@pytest.mark.parametrize(("vendor", "event", "fixture"), DELIVERIES)
def test_a_webhook_signed_by_the_sandbox_is_accepted_once_even_when_sent_twice(
    sandbox: Sandbox, bridge_url: str, vendor: str, event: str, fixture: str
) -> None:
    sandbox.register_webhook(vendor, f"{bridge_url}/webhooks/{vendor}")
    sandbox.vendors[vendor].webhooks.duplicate_next()
    sandbox.vendors[vendor].emit(event, fixture_json(fixture))
    sandbox.flush_webhooks()
    statuses = [delivery.status for delivery in sandbox.vendors[vendor].webhooks.deliveries]
    assert statuses == [202, 200]


def test_a_freshdesk_rule_from_the_sandbox_is_accepted(sandbox: Sandbox, bridge_url) -> None:
    sandbox.register_webhook("freshdesk", f"{bridge_url}/webhooks/freshdesk")
    payload = {"freshdesk_webhook": {"ticket_id": 12, "triggered_event": "{customer_reply}"}}
    sandbox.freshdesk.emit("ticket_updated", payload)
    sandbox.flush_webhooks()
    assert [d.status for d in sandbox.freshdesk.webhooks.deliveries] == [202]


def test_a_webhook_signed_with_a_secret_the_bridge_does_not_hold_is_refused(
    sandbox: Sandbox, bridge_url: str
) -> None:
    sandbox.register_webhook("github", f"{bridge_url}/webhooks/github", secret="stolen?")
    sandbox.github.emit("issues", fixture_json("github/webhooks/issues/opened.json"))
    sandbox.flush_webhooks()
    assert [d.status for d in sandbox.github.webhooks.deliveries] == [401]
