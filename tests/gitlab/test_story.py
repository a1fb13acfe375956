"""The whole story with GitLab as the tracker, against the sandbox with the real clients and
GitLab's webhooks: a Zendesk ticket is escalated, its SPAR and AR are filed in GitLab (the AR
linked to its SPAR, its number on the ticket), a merged merge request closing the AR tells
support, the release naming it tells the customer, who accepts, and the SPAR is closed; told by
GitLab's webhook, or found by catch-up when the bridge heard none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from sqlalchemy import select

from bridge.config import load_settings
from bridge.connectors import retry
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import installed_budgets, register_connectors
from bridge.jobs.clock import utcnow
from bridge.runtime import bootstrap
from bridge.store import migrate, tables
from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from sandbox.embedded import connector_settings
from sandbox.gitlab.app import GitlabServer
from tests.closure.sandboxed import Bridge
from tests.closure.story import ENGINEER, escalate_to_accepted_plan
from tests.helpers import running_sandbox
from tests.services.conftest import add_ticket
from tests.webhooks.signing import secret_variable
from webhooks.app import create_app

from .conftest import PROJECT, gitlab_settings


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:  # one per test: the story starts from a fresh project
    with running_sandbox() as running:
        yield running


@pytest.fixture(params=["webhook", "catch-up"])
def heard_by(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, heard_by: str
) -> Iterator[Bridge]:
    """A bridge on SQLite routing SPARs and ARs to GitLab, with Slack and Zendesk, taking
    GitLab's webhooks at its own web server, or none (``heard_by`` catch-up)."""
    wired = connector_settings(sandbox)
    config = {
        "routing": {
            "default_channel": sandbox.credentials["slack"]["channel"],
            "default_tracker": "gitlab",
        },
        "connectors": {
            "gitlab": gitlab_settings(sandbox),
            "slack": wired["slack"],
            "zendesk": wired["zendesk"],
        },
    }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv(secret_variable("zendesk"), sandbox.webhook_secrets["zendesk"])
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    retry.set_testing(True, attempts=2)
    runtime = bootstrap(settings)
    gate = RateGate.from_url(None, rates=installed_budgets())
    gate.set_rate("slack:channel", "100/second")
    register_connectors(runtime, gate)
    server = BackgroundServer(create_app(runtime=runtime))
    server.start()
    if heard_by == "webhook":
        sandbox.register_webhook("gitlab", f"{server.url}/webhooks/gitlab")
    try:
        yield Bridge(runtime, server.url)
    finally:
        server.stop()
        runtime.close()
        retry.set_testing(False)


def developer(sandbox: Sandbox, path: str, body: dict | None = None) -> dict:
    """What a developer does on GitLab, through the sandbox's control API."""
    url = f"{sandbox.urls['gitlab']}/_sandbox/projects/{PROJECT}/{path}"
    answer = requests.post(url, json=body or {}, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


def settle(bridge: Bridge, heard_by: str) -> None:
    """What GitLab did reaches the bridge (by its webhook, or asked for by catch-up), and the
    bridge does all it has to."""
    if heard_by == "catch-up":
        bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()


def records(bridge: Bridge) -> dict[str, str]:
    with bridge.runtime.sessions() as session:
        rows = session.scalars(select(tables.ActionRequest))
        return {row.kind: f"{row.system}:{row.external_key}" for row in rows}


def state(bridge: Bridge, escalation_id: int) -> tuple[str, list[str]]:
    with bridge.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None
        return row.state, list(session.scalars(select(tables.Spar.state)))


def issue(sandbox: Sandbox, key: str) -> dict:
    server = sandbox.vendors["gitlab"]
    assert isinstance(server, GitlabServer)
    iid = int(key.rsplit("#", 1)[1])
    [found] = [i for i in server.snapshot()[PROJECT]["issues"] if i["iid"] == iid]
    return found


def accept_link(sandbox: Sandbox, ticket: int) -> str:
    """What the customer clicks, read from the public reply on their Zendesk ticket."""
    [notice] = [
        c.body
        for c in sandbox.zendesk.tickets[ticket].comments
        if c.public and f"available in {PROJECT} release v4.2.1" in c.body
    ]
    url = re.search(r"^Accept: (\S+)$", notice, re.MULTILINE)
    assert url is not None
    parts = urlsplit(url[1])
    return f"{parts.path}?{parts.query}"


def test_escalated_to_gitlab_fixed_released_accepted_and_the_spar_closed(
    bridge: Bridge, sandbox: Sandbox, heard_by: str
) -> None:
    ticket = next(iter(sandbox.zendesk.tickets))
    add_ticket(bridge.runtime, str(ticket))
    escalation_id = escalate_to_accepted_plan(bridge.runtime, str(ticket), utcnow())
    bridge.runtime.services.spar.open_spar(escalation_id, by=ENGINEER, cause="test", now=utcnow())
    settle(bridge, heard_by)

    # The SPAR and the AR are GitLab issues, the AR linked to its SPAR and noted on the ticket.
    filed = records(bridge)
    assert set(filed) == {"spar", "ar"}
    spar, ar = (filed[kind].removeprefix("gitlab:") for kind in ("spar", "ar"))
    assert spar.startswith(f"{PROJECT}#") and ar.startswith(f"{PROJECT}#")
    assert "spar" in issue(sandbox, spar)["labels"] and "bug" in issue(sandbox, ar)["labels"]
    links = sandbox.vendors["gitlab"].snapshot()[PROJECT]["links"]
    ar_iid, spar_iid = (int(key.rsplit("#", 1)[1]) for key in (ar, spar))
    assert {"source": ar_iid, "target": spar_iid, "type": "relates_to"} in links
    comments = sandbox.zendesk.tickets[ticket].comments
    assert any(ar in c.body for c in comments if not c.public)

    # A merge request closing the AR is merged: support hears, the customer not yet.
    opened = developer(
        sandbox, "merge_requests", {"title": "Sync orders", "description": f"Closes #{ar_iid}"}
    )
    developer(sandbox, f"merge_requests/{opened['iid']}/merge")
    settle(bridge, heard_by)
    assert any("Fixed in code" in c.body for c in comments if not c.public)
    assert not [c for c in comments if c.public and "available in" in c.body]

    # The release naming the AR: the customer is told, accepts, and the SPAR is closed.
    developer(sandbox, "releases", {"tag_name": "v4.2.1", "description": f"Fixed: #{ar_iid}"})
    settle(bridge, heard_by)
    assert state(bridge, escalation_id) == ("awaiting_customer", ["solution_available"])
    link = accept_link(sandbox, ticket)
    page = requests.post(bridge.url + link, data={"answer": "accept"}, timeout=10)
    assert page.status_code == 200 and "Thank you, your answer is recorded" in page.text
    bridge.settle()

    assert state(bridge, escalation_id) == ("monitoring", ["closed"])
    assert issue(sandbox, spar)["state"] == "closed"
    ar_notes = sandbox.vendors["gitlab"].snapshot()[PROJECT]["notes"][str(ar_iid)]
    assert any("accepted the fix" in n["body"] for n in ar_notes)
    with bridge.runtime.sessions() as session:
        unsettled = session.scalars(
            select(tables.OutboxRow.operation).where(tables.OutboxRow.status != "done")
        ).all()
    assert unsettled == []
