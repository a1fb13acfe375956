"""Nothing missed while down, where the bridge owns GitHub's webhook (``hook_id`` set): the
bridge's web server is stopped, a developer comments on a linked AR and closes it, GitHub's
deliveries fail; the server starts again and catch-up has GitHub redeliver each failed delivery,
exactly once, which the receiver hears as the webhooks they were. A delivery that did arrive is
not redelivered, and a second catch-up redelivers nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bridge.jobs.clock import utcnow
from bridge.services.inbound.sync_health import SyncHealth
from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from sandbox.github.hooks import HOOK_ID
from sandbox.github.state import Issue as GithubIssue
from webhooks.app import create_app

from .sandboxed import Bridge, served_bridge
from .story import ENGINEER
from .test_catch_up_github import develop_on_github, heard_on_github
from .test_end_to_end import escalated_with_ar

VENDORS = ("jira", "slack", "zendesk", "github")


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    monkeypatch.setenv("BRIDGE_CONNECTORS__GITHUB__HOOK_ID", str(HOOK_ID))
    with served_bridge(sandbox, isolated_settings, monkeypatch, vendors=VENDORS) as served:
        yield served


class Receiver:
    """The bridge's web server on a port of its own, which GitHub's hook delivers to: stopped
    (connections refused, as while the bridge is down) and started again on the same port."""

    def __init__(self, bridge: Bridge) -> None:
        self._app = create_app(runtime=bridge.runtime)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: BackgroundServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/github"

    def start(self) -> None:
        self._server = BackgroundServer(self._app, port=self.port)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


@pytest.fixture
def receiver(bridge: Bridge) -> Iterator[Receiver]:
    served = Receiver(bridge)
    yield served
    served.stop()


def github_ar(bridge: Bridge, sandbox: Sandbox, receiver: Receiver) -> tuple[int, str, int]:
    """A ticket escalated and waiting on a GitHub issue, GitHub's hook pointed at ``receiver``,
    the watermark set: (ticket, repository, issue number)."""
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    world = sandbox.github.world.repo(*repo.split("/"))
    assert world is not None
    issue = GithubIssue(world.next_number(), "Exports stop at 99%", None, "developer")
    world.issues[issue.number] = issue
    bridge.runtime.services.shipped.join_ar(
        escalation_id, system="github", key=f"{repo}#{issue.number}", by=ENGINEER, now=utcnow()
    )
    bridge.runtime.services.catch_up.run(utcnow())
    sandbox.register_webhook("github", receiver.url)
    bridge.settle()
    return ticket, repo, issue.number


def github_health(bridge: Bridge) -> SyncHealth:
    [found] = [s for s in bridge.runtime.services.catch_up.health() if s.connector == "github"]
    return found


def deliveries(sandbox: Sandbox, repo: str) -> list[dict[str, object]]:
    """The hook's deliveries as GitHub's API lists them (newest first)."""
    url = f"{sandbox.urls['github']}/repos/{repo}/hooks/{HOOK_ID}/deliveries"
    token = sandbox.credentials["github"]["token"]
    answer = requests.get(
        url, params={"per_page": 100}, headers={"Authorization": f"token {token}"}, timeout=10
    )
    answer.raise_for_status()
    return list(answer.json())


def test_deliveries_that_failed_while_the_bridge_was_down_are_redelivered_once(
    bridge: Bridge, sandbox: Sandbox, receiver: Receiver
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox, receiver)
    receiver.stop()
    develop_on_github(sandbox, repo, number)
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (0, 0, 0)
    failed = {d["guid"] for d in deliveries(sandbox, repo) if d["status_code"] == 0}
    assert len(failed) == 2  # the comment and the close

    receiver.start()
    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)
    again = [d for d in deliveries(sandbox, repo) if d["redelivery"]]
    assert sorted(str(d["guid"]) for d in again) == sorted(str(g) for g in failed)
    assert {d["status_code"] for d in again} == {202}
    # Asked for, not yet seen arriving by catch-up itself: behind, not failing.
    health = github_health(bridge)
    assert health.behind and health.last_error is None

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert len([d for d in deliveries(sandbox, repo) if d["redelivery"]]) == 2
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)
    assert not github_health(bridge).behind  # seen arrived: the watermark moves on


def test_a_delivery_that_arrived_is_not_redelivered(
    bridge: Bridge, sandbox: Sandbox, receiver: Receiver
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox, receiver)
    develop_on_github(sandbox, repo, number)
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert not [d for d in deliveries(sandbox, repo) if d["redelivery"]]
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)


def test_a_redelivery_and_its_late_original_act_once(
    bridge: Bridge, sandbox: Sandbox, receiver: Receiver
) -> None:
    """A delivery GitHub counted as failed (the bridge too slow to answer) that the bridge did
    store: its redelivery is a duplicate."""
    ticket, repo, number = github_ar(bridge, sandbox, receiver)
    receiver.stop()
    develop_on_github(sandbox, repo, number)
    receiver.start()
    for lost in [d for d in sandbox.github.webhooks.deliveries if d.status is None]:
        arrived = requests.post(lost.url, data=lost.body, headers=lost.headers, timeout=10)
        assert arrived.status_code == 202
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert len([d for d in deliveries(sandbox, repo) if d["redelivery"]]) == 2
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)
