"""Helpers shared by several test packages (fixtures stay in the conftest files)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.tables import InboxRow
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from sandbox.receiver import WebhookReceiver

# A complete API request's triage answers (contact, users affected, go-live) and the four
# questions of the pre-escalation review, as `POST /api/escalations` takes them.
API_TRIAGE = {
    "users_affected": 40,
    "go_live_or_upgrade_date": None,
    "contact": {
        "phone": "+1 555 0100",
        "email": "dana@customer.example",
        "hours_of_availability": "Mon-Fri 08:00-18:00 ET",
    },
}
API_REVIEW = {
    "problem_statement_correct": True,
    "business_impact_described": True,
    "workaround_impractical": True,
    "critical_milestone_date": "2026-12-01",
}


def write_sandbox_config(
    sandbox: Sandbox, directory: Path, vendors: Iterable[str] = ("jira", "slack", "zendesk")
) -> Path:
    """A bridge.yaml in ``directory`` routing to the sandbox's Slack channel and Jira, with
    the connectors of ``vendors`` pointed at the sandbox."""
    connectors = connector_settings(sandbox)
    config = {
        "routing": {
            "default_channel": sandbox.credentials["slack"]["channel"],
            "default_tracker": "jira",
        },
        "connectors": {name: connectors[name] for name in vendors},
    }
    path = directory / "bridge.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextmanager
def migrated_runtime() -> Iterator[Runtime]:
    """A runtime built from the current BRIDGE_* environment, its database migrated first."""
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    try:
        yield runtime
    finally:
        runtime.close()


def inbox_rows(runtime: Runtime) -> list[InboxRow]:
    """Every stored delivery, oldest first, as the workflow reads them."""
    with runtime.sessions() as session:
        return list(session.scalars(select(InboxRow).order_by(InboxRow.id)))


@contextmanager
def running_sandbox() -> Iterator[Sandbox]:
    """The sandbox with a development project beside the support one; any request the vendor
    would refuse fails the test that made it."""
    with Sandbox() as running:
        running.jira.world.add_project("DEV", "Development")
        yield running
        assert running.violations == []


@contextmanager
def receiving_webhooks(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    """A receiver every vendor of the sandbox sends its webhooks to, at ``/<vendor>``."""
    with WebhookReceiver() as running:
        for vendor in sandbox.vendors:
            sandbox.register_webhook(vendor, f"{running.url}/{vendor}")
        yield running


@contextmanager
def held_to_the_contract(sandbox: Sandbox) -> Iterator[None]:
    """Fail the test whose requests the vendor would have refused; clear faults it left."""
    before = len(sandbox.violations)
    yield
    sandbox.reset_faults()
    found = sandbox.violations[before:]
    if found:
        pytest.fail("contract violations:\n" + "\n".join(map(str, found)), pytrace=False)
