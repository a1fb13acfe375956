"""Escalation → SPAR and AR in Jira, linked, with the AR number on the Zendesk ticket and every
step in the Slack thread — through the real clients against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bridge.config import load_settings
from bridge.connectors import retry
from bridge.domain.enums import EntryPoint, ReasonCategory
from bridge.jobs.clock import utcnow
from bridge.jobs.engine import drain_here
from bridge.runtime import Runtime, bootstrap
from bridge.services.escalation.escalations import EscalationRequest
from bridge.store import migrate, tables
from sandbox import Sandbox
from tests.helpers import running_sandbox, write_sandbox_config

from ..services.conftest import add_ticket


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def runtime(sandbox: Sandbox, isolated_settings: Path) -> Iterator[Runtime]:
    write_sandbox_config(sandbox, isolated_settings)
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    retry.set_testing(True, attempts=2)
    built = bootstrap(settings)
    yield built
    built.close()
    retry.set_testing(False)


def drain_outbox(runtime: Runtime, rounds: int = 10) -> None:
    """Perform every due side effect, as the worker would, until none is left."""
    if not drain_here(runtime, rounds=rounds, inbox=False):
        raise AssertionError("the outbox did not settle")


def spar_filed(runtime: Runtime, sandbox: Sandbox) -> int:
    """A sandbox Zendesk ticket escalated and its SPAR opened, the outbox drained: the ticket."""
    zendesk_ticket = next(iter(sandbox.zendesk.tickets))
    add_ticket(runtime, str(zendesk_ticket))
    escalation_id = runtime.services.escalations.request(
        EscalationRequest(
            str(zendesk_ticket),
            ReasonCategory.DATA_LOSS,
            "orders lost",
            "U0ALICE001",
            EntryPoint.SLACK,
            "test",
        ),
        utcnow(),
    )
    runtime.services.spar.open_spar(escalation_id, by="U0ALICE001", cause="test", now=utcnow())
    drain_outbox(runtime)
    return zendesk_ticket


def test_a_spar_and_its_ar_are_filed_linked_and_noted_on_the_ticket(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    zendesk_ticket = spar_filed(runtime, sandbox)

    with runtime.sessions() as session:
        linked = {row.kind: row for row in session.scalars(select(tables.ActionRequest))}
        dead = session.scalars(
            select(tables.OutboxRow).where(tables.OutboxRow.status != "done")
        ).all()
        spar = session.scalars(select(tables.Spar)).one()
    assert dead == []
    assert set(linked) == {"spar", "ar"}
    spar_issue = sandbox.jira.world.issue(linked["spar"].external_key)
    ar_issue = sandbox.jira.world.issue(linked["ar"].external_key)
    assert spar_issue is not None and ar_issue is not None
    assert linked["spar"].external_key.startswith("SUP-")
    assert linked["ar"].external_key.startswith("DEV-")
    assert spar.state == "ar_filed"
    notes = [c.body for c in sandbox.zendesk.tickets[zendesk_ticket].comments if not c.public]
    assert any(linked["ar"].external_key in note for note in notes)
    # The AR is linked to its SPAR, and both point back at the customer's ticket.
    assert ar_issue.links
    assert ar_issue.remote_links and spar_issue.remote_links
    channel = sandbox.credentials["slack"]["channel"]
    messages = sandbox.slack.world.in_channel(channel)
    [head] = [m for m in messages if m.thread_ts is None]
    replies = [m.text for m in messages if m.thread_ts == head.ts]
    assert any(f"AR {linked['ar'].external_key} filed" in text for text in replies)
    assert head.edited  # refreshed: the head message now links the SPAR and the AR
    shown = json.dumps(head.blocks)
    assert linked["spar"].external_key in shown
    assert linked["ar"].external_key in shown


def test_on_a_site_without_the_link_type_the_ar_still_links_its_spar(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    world = sandbox.jira.world
    world.link_types = [t for t in world.link_types if t["name"] != "Relates"]
    zendesk_ticket = spar_filed(runtime, sandbox)

    with runtime.sessions() as session:
        keys = {row.kind: row.external_key for row in session.scalars(select(tables.ActionRequest))}
        unsettled = session.scalars(
            select(tables.OutboxRow).where(tables.OutboxRow.status != "done")
        ).all()
    assert unsettled == []
    ar_issue = world.issue(keys["ar"])
    assert ar_issue is not None and ar_issue.links == []
    [to_spar] = [
        x for x in ar_issue.remote_links if x.global_id == f"support-bridge:spar:{keys['spar']}"
    ]
    assert to_spar.object["url"].endswith(f"/browse/{keys['spar']}")
    # The AR lists the ticket waiting on it.
    [waiting] = [c.body for c in ar_issue.comments if "Tickets waiting on this AR" in c.body]
    assert f"|zendesk:{zendesk_ticket} " in waiting  # then its subject and agent view
