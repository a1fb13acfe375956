"""Nothing missed while down on a busy GitHub repository, when more changed than one catch-up run
may read: the changed issues and the comments are listed oldest first, a run stopped at its
page cap moves the watermark only to the last item it read, sync health says the repository is
behind, and the next minute's tick reads on, until every change is acted on once. A listing
GitHub gives only newest first (the issue events) cannot be read on that way: a run whose such
listing stopped before the watermark says what it left unread, as a failure.
The caps are made small (two items a page, one page a run) so a few changes are a backlog."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import requests

from bridge.connectors.github import catchup as github_catch_up
from bridge.jobs.clock import utcnow
from bridge.services.inbound.sync_health import SyncHealth
from sandbox import Sandbox

from .sandboxed import Bridge
from .test_ar_speaks import notes
from .test_catch_up_ars import bridge, bridge_down, late_deliveries
from .test_catch_up_github import develop_on_github, github_ar, heard_on_github
from .test_catch_up_github_state import heard_state, reopen_and_assign

__all__ = ["bridge"]  # the fixture: GitHub configured too
LATER = "Also seen on 2.3 after the upgrade"


def github_health(bridge: Bridge) -> SyncHealth:
    [found] = [s for s in bridge.runtime.services.catch_up.health() if s.connector == "github"]
    return found


def one_second_each() -> None:
    """GitHub stamps by the second: each change in its own spreads them over the pages."""
    time.sleep(1.05)


def busy_elsewhere(sandbox: Sandbox, repo: str, count: int, *, comment: bool = True) -> None:
    """Other developers open issues (and comment on them), none an AR support waits on."""
    control = f"{sandbox.urls['github']}/_sandbox/repos/{repo}/issues"
    for n in range(count):
        one_second_each()
        opened = requests.post(control, json={"title": f"Flaky test {n}"}, timeout=10)
        assert opened.status_code == 201
        if not comment:
            continue
        one_second_each()
        number = opened.json()["number"]
        said = requests.post(f"{control}/{number}/comments", json={"body": "+1"}, timeout=10)
        assert said.ok


def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(github_catch_up, "PAGE", 2)
    monkeypatch.setattr(github_catch_up, "MAX_PAGES", 1)


def test_more_changed_issues_and_comments_than_a_run_reads_are_read_on_until_each_heard_once(
    bridge: Bridge, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox)
    github = sandbox.urls["github"]
    bridge_down(github)
    busy_elsewhere(sandbox, repo, 2)
    one_second_each()
    develop_on_github(sandbox, repo, number)  # a comment, and the AR closed as not planned
    busy_elsewhere(sandbox, repo, 4, comment=False)
    one_second_each()
    # The AR changes again after where a run stops past its close: listed by its last change,
    # its close (before that stop) is still heard, from the issue events.
    control = f"{github}/_sandbox/repos/{repo}/issues/{number}/comments"
    assert requests.post(control, json={"body": LATER}, timeout=10).ok
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (0, 0, 0)

    small_pages(monkeypatch)
    catch_up = bridge.runtime.services.catch_up
    moment = utcnow()
    catch_up.run(moment)  # the start's run: cut off
    bridge.settle()
    runs, seen_behind = 1, []
    while (health := github_health(bridge)).behind and runs < 40:
        seen_behind.append(health.last_synced)
        assert health.ok(moment, catch_up.interval)  # behind is not failing
        assert "behind" in health.describe(moment)
        moment += dt.timedelta(minutes=1)
        catch_up.tick(moment)  # the next minute's tick takes the run
        bridge.settle()
        assert github_health(bridge).checked_at == moment
        runs += 1

    assert runs >= 3  # more than one run was needed, and each went on where the last stopped
    assert seen_behind == sorted(seen_behind) and len(set(seen_behind)) == len(seen_behind)
    health = github_health(bridge)
    assert not health.behind and health.last_error is None
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)
    internal, _ = notes(sandbox, ticket)
    assert len([n for n in internal if LATER in n]) == 1

    # The webhooks arrive after all: those about the AR are each a duplicate.
    about_the_ar = [
        answer
        for body, answer in late_deliveries(github)
        if (json.loads(body).get("issue") or {}).get("number") == number
    ]
    assert about_the_ar == ["duplicate"] * 3  # the comment, the close, the later comment
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)
    internal, _ = notes(sandbox, ticket)
    assert len([n for n in internal if LATER in n]) == 1


def test_issue_events_beyond_a_runs_cap_are_said_unread_not_passed_over_silently(
    bridge: Bridge, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox)
    github = sandbox.urls["github"]
    closed = requests.post(
        f"{github}/_sandbox/repos/{repo}/issues/{number}/close", json={}, timeout=10
    )
    assert closed.ok
    bridge.settle()
    bridge_down(github)
    one_second_each()
    reopen_and_assign(sandbox, repo, number)  # the AR's issue events: newest first only
    unassigned = requests.post(
        f"{github}/_sandbox/repos/{repo}/issues/{number}/unassign",
        json={"assignee": "dana-dev"},
        timeout=10,
    )
    assert unassigned.ok
    bridge.settle()

    small_pages(monkeypatch)
    catch_up = bridge.runtime.services.catch_up
    moment = utcnow()
    catch_up.run(moment)
    bridge.settle()

    health = github_health(bridge)
    assert not health.ok(moment, catch_up.interval)  # failing: someone must look
    assert health.last_error is not None
    assert "GitHub issues/events" in health.last_error
    assert "reopens and assignments of linked issues before" in health.last_error
    assert "not caught up" in health.describe(moment)
    assert not health.behind  # no later run reads further down a newest-first listing
    # The newest two events it did read (the assignment and its undoing) are acted on; the
    # reopen, older, is the one said unread.
    reopened, assigned, _ = heard_state(sandbox, ticket, repo, number)
    assert (reopened, assigned) == (0, 1)
