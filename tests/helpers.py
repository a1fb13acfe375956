"""Helpers shared by several test packages (fixtures stay in the conftest files)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.tables import InboxRow
from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver


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
