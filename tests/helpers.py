"""Helpers shared by several test packages (fixtures stay in the conftest files)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bridge.config import load_settings
from bridge.connectors.registry import events_of
from bridge.jobs.engine import drain_here
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.tables import InboxRow
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from sandbox.helpdesk.zendesk_admin import render
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
        assert running.violations == [], "\n".join(map(str, running.violations))


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


HELPDESK_DOC = Path(__file__).parents[1] / "docs" / "helpdesk-webhooks.md"
# The answers an agent types into the ticket's custom fields, by the template's field names.
TRIGGER_ANSWERS: dict[str, Any] = {
    "users affected field id": "250",
    "go-live date field id": "2099-01-15",
    "go-live effect field id": "The go-live slips a week",
    "contact phone field id": "+1 555 0100",
    "contact email field id": "dana@customer.example",
    "contact hours field id": "9-17 CET",
    "production down checkbox id": False,
    "acceptable workaround checkbox id": False,
    "core functionality checkbox id": True,
    "financial loss field id": "20k EUR a day",
}


def documented_template() -> str:
    """The first JSON block of docs/helpdesk-webhooks.md: the body the administrator pastes."""
    found = re.search(r"```json\n(.*?)```", HELPDESK_DOC.read_text(encoding="utf-8"), re.S)
    assert found is not None
    return found[1]


def rendered_trigger_body(placeholders: dict[str, str]) -> dict[str, Any]:
    """The documented template as Zendesk renders it: ``placeholders`` by name
    (``ticket.title``…), each ``<… id>`` custom field given its ``TRIGGER_ANSWERS`` answer."""
    template = documented_template()
    names = sorted(set(re.findall(r"ticket_field_<([^>]+)>", template)))
    ids = {name: number for number, name in enumerate(names, start=1)}
    for name, number in ids.items():
        template = template.replace(f"ticket_field_<{name}>", f"ticket_field_{number}")
    fields = {ids[name]: value for name, value in TRIGGER_ANSWERS.items()}
    rendered: dict[str, Any] = json.loads(render(template, placeholders, fields))
    return rendered


def settle(runtime: Runtime, rounds: int = 20, *, reverse: bool = False) -> None:
    """Process every stored delivery and perform every side effect, as the worker does, until
    nothing is left; ``reverse`` processes the deliveries newest first, as if reordered."""
    if not drain_here(runtime, rounds=rounds, newest_first=reverse):
        raise AssertionError("the bridge did not settle")


def content_key(source: str, event_type: str, payload: dict[str, Any]) -> str | None:
    """The inbox key ``source``'s package gives the event (None: keyed by delivery id)."""
    keys = events_of(source)
    return keys.content_key(event_type, payload) if keys is not None else None
