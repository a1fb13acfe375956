"""Where the bridge owns GitHub's webhook, catch-up has GitHub redeliver what failed: the hook's
deliveries listed a page of 100 a request (GitHub's cursor), each delivery whose attempts all
failed asked for once, through the rate budget; a bridge down longer than GitHub keeps
deliveries catches up by listing instead."""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from bridge.config.connectors import GitHubSettings
from bridge.connectors.github import GitHubConnector, redelivery
from bridge.connectors.github.redelivery import to_redeliver
from bridge.connectors.registry import Context
from bridge.services.ports import CutOff, Watching
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.core.webhooks import WebhookTarget
from sandbox.github.hooks import HOOK_ID
from sandbox.github.state import Issue as GitHubIssue
from tests.connectors.test_catch_up_requests import counted
from tests.connectors.test_github import REPO


def attempt(number: int, guid: str, code: int, *, again: bool = False) -> dict[str, object]:
    return {"id": number, "guid": guid, "status_code": code, "redelivery": again}


def test_a_delivery_is_redelivered_until_an_attempt_is_answered() -> None:
    listed = [
        attempt(13, "refused-twice", 401, again=True),
        attempt(12, "bad-signature-once", 401),
        attempt(11, "refused-for-good", 401, again=True),
        attempt(10, "bridge-failed-before-the-window", 500, again=True),
        attempt(9, "down-twice", 0, again=True),
        attempt(8, "refused", 503),
        attempt(7, "redelivered-fine", 202, again=True),
        attempt(6, "down-twice", 0),
        attempt(5, "redelivered-fine", 0),
        attempt(4, "arrived", 202),
        attempt(3, "unreachable-before-the-window", 0, again=True),
        attempt(2, "refused-twice", 401),
    ]
    # A 4xx is the bridge's answer on purpose (a bad signature): redelivered once, then left;
    # no answer or a 5xx is tried again while GitHub keeps the delivery.
    assert to_redeliver(listed) == [3, 8, 9, 10, 12]
    assert redelivery.still_unreachable(listed)
    assert not redelivery.still_unreachable([attempt(2, "late", 202, again=True)])


@pytest.fixture
def unreachable(sandbox: Sandbox) -> Iterator[WebhookTarget]:
    """The repository's one hook, whose receiver is down: every delivery to it fails to
    connect (targets other tests left on the sandbox are set aside meanwhile, so the hook's
    deliveries are this test's alone)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = WebhookTarget(f"http://127.0.0.1:{port}/webhooks/github", "secret")
    webhooks = sandbox.github.webhooks
    others = webhooks.targets
    for other in others:
        webhooks.remove_target(other)
    webhooks.add_target(target)
    yield target
    webhooks.remove_target(target)
    for other in others:
        webhooks.add_target(other)


def asked_for(since: dt.datetime) -> CutOff:
    """Redeliveries asked for, not yet seen arriving: the watermark stays at ``since``."""
    return CutOff([], read_until=since, awaiting=redelivery.Outcome.ASKED.value)


def with_hook(sandbox: Sandbox, context: Context) -> GitHubConnector:
    settings = GitHubSettings(
        base_url=sandbox.urls["github"],
        repository=REPO,
        token=sandbox.credentials["github"]["token"],
        hook_id=HOOK_ID,
    )
    return GitHubConnector(settings, context)


def test_failed_deliveries_are_listed_by_the_page_and_each_redelivered_once(
    sandbox: Sandbox, context: Context, unreachable: WebhookTarget
) -> None:
    context, gate = counted(context)
    github = with_hook(sandbox, context)
    since = dt.datetime.now(dt.UTC).replace(microsecond=0)
    repo = sandbox.github.world.repo(*REPO.split("/"))
    assert repo is not None
    issue = GitHubIssue(repo.next_number(), "Exports stop", None, "developer")
    repo.issues[issue.number] = issue
    control = f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/issues/{issue.number}/comments"
    with requests.Session() as http:
        for n in range(150):
            assert http.post(control, json={"body": f"Found it {n}"}, timeout=10).ok
    failed = {
        d.headers["X-GitHub-Delivery"]
        for d in sandbox.github.webhooks.deliveries
        if d.url == unreachable.url and d.status is None
    }
    assert len(failed) == 150
    github.repo  # noqa: B018 - the repository looked up once, before the count starts
    sandbox.github.recorder.clear()
    gate.taken.clear()

    answer = github.missed_since(since, Watching(ars=(f"{REPO}#{issue.number}",)))

    # Asked, not yet seen arriving: the watermark stays where it was for the next run.
    assert answer == asked_for(since)
    asked = Counter(
        (r.method, re.sub(r"/\d+/attempts$", "/<id>/attempts", r.path))
        for r in sandbox.github.recorder.requests
    )
    hook = f"/repos/{REPO}/hooks/{HOOK_ID}/deliveries"
    assert asked[("GET", hook)] >= 2  # pages of 100, GitHub's cursor followed
    assert asked[("POST", f"{hook}/<id>/attempts")] == 150
    assert f"/repos/{REPO}/issues" not in {path for _, path in asked}  # nothing listed
    redelivered = [
        d.headers["X-GitHub-Delivery"]
        for d in sandbox.github.webhooks.deliveries
        if d.redelivery and d.url == unreachable.url
    ]
    assert sorted(redelivered) == sorted(failed)
    assert gate.taken["github:content"] == 150
    assert gate.taken["github:requests"] == sum(asked.values())


def test_a_bridge_down_longer_than_github_keeps_deliveries_catches_up_by_listing(
    sandbox: Sandbox, context: Context
) -> None:
    github = with_hook(sandbox, context)
    github.repo  # noqa: B018
    sandbox.github.recorder.clear()

    github.missed_since(dt.datetime.now(dt.UTC) - dt.timedelta(days=4), Watching())

    paths = {r.path for r in sandbox.github.recorder.requests}
    assert f"/repos/{REPO}/releases" in paths
    assert not any("/hooks/" in path for path in paths)


def test_doctor_says_when_the_hooks_deliveries_cannot_be_read(
    sandbox: Sandbox, context: Context
) -> None:
    github = with_hook(sandbox, context)
    assert github.check().ok
    refused = "Resource not accessible by integration"  # an App without the Webhooks permission
    route = f"GET /repos/{REPO}/hooks/{HOOK_ID}/deliveries"
    sandbox.github.faults.add(Fault(route=route, status=403, message=refused, times=1))

    result = github.check()

    assert not result.ok
    assert f"hook {HOOK_ID} deliveries" in result.detail
    assert "Webhooks permission" in result.hint


def test_more_deliveries_than_a_run_reads_are_caught_up_by_listing_as_well(
    sandbox: Sandbox, context: Context, unreachable: WebhookTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deliveries are listed newest first: past the cap the oldest would be left unread, so
    the run redelivers those it read and lists the repository too (the inbox keys the copies
    alike, so each change acts once)."""
    monkeypatch.setattr(redelivery, "MAX_PAGES", 1)
    github = with_hook(sandbox, context)
    since = dt.datetime.now(dt.UTC).replace(microsecond=0)
    repo = sandbox.github.world.repo(*REPO.split("/"))
    assert repo is not None
    issue = GitHubIssue(repo.next_number(), "Exports stop", None, "developer")
    repo.issues[issue.number] = issue
    control = f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/issues/{issue.number}/comments"
    with requests.Session() as http:
        for n in range(150):
            assert http.post(control, json={"body": f"Found it {n}"}, timeout=10).ok
    github.repo  # noqa: B018
    sandbox.github.recorder.clear()

    found = github.missed_since(since, Watching(ars=(f"{REPO}#{issue.number}",)))

    assert isinstance(found, list)
    said = sorted(e.payload["comment"]["body"] for e in found if e.event_type.startswith("issue_"))
    assert said == sorted(f"Found it {n}" for n in range(150))  # the oldest 50 too
    asked = Counter(
        (r.method, re.sub(r"/\d+/attempts$", "/<id>/attempts", r.path))
        for r in sandbox.github.recorder.requests
    )
    hook = f"/repos/{REPO}/hooks/{HOOK_ID}/deliveries"
    assert asked[("GET", hook)] == 1
    assert asked[("POST", f"{hook}/<id>/attempts")] == 100  # the newest page, redelivered


def test_a_redelivery_that_could_not_connect_is_asked_again_and_the_repository_listed(
    context: Context,
) -> None:
    """The first run asked GitHub to redeliver while GitHub still could not reach the bridge,
    and left the watermark where it was; the next run sees the redeliveries failed, asks again
    and, since redelivering alone did not get through, lists the repository as well. (A
    sandbox of its own: the hook's deliveries are this test's alone.)"""
    with Sandbox() as sandbox, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}/webhooks/github"
        sandbox.github.webhooks.add_target(WebhookTarget(down, "secret"))
        github = with_hook(sandbox, context)
        since = dt.datetime.now(dt.UTC).replace(microsecond=0)
        repo = sandbox.github.world.repo(*REPO.split("/"))
        assert repo is not None
        issue = GitHubIssue(repo.next_number(), "Exports stop", None, "developer")
        repo.issues[issue.number] = issue
        base = sandbox.urls["github"]
        for n in range(3):
            posted = requests.post(
                f"{base}/_sandbox/repos/{REPO}/issues/{issue.number}/comments",
                json={"body": f"Found it {n}"},
                timeout=10,
            )
            assert posted.ok
        watching = Watching(ars=(f"{REPO}#{issue.number}",))
        assert github.missed_since(since, watching) == asked_for(since)
        sandbox.github.webhooks.flush()
        sandbox.github.recorder.clear()

        found = github.missed_since(since, watching)

        asked = Counter(
            (r.method, re.sub(r"/\d+/attempts$", "/<id>/attempts", r.path))
            for r in sandbox.github.recorder.requests
        )
    assert asked[("POST", f"/repos/{REPO}/hooks/{HOOK_ID}/deliveries/<id>/attempts")] == 3
    assert isinstance(found, list)
    said = sorted(e.payload["comment"]["body"] for e in found if e.event_type.startswith("issue_"))
    assert said == [f"Found it {n}" for n in range(3)]
