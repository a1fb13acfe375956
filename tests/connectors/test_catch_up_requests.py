"""A catch-up spends from the rate budget for every request it makes, and makes no more than
it needs: GitHub's listings cost one request a page of 100 (not one more per item listed),
Jira's searches one per 100 ARs, and a changelog longer than a search shows one a page."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from limits.storage import MemoryStorage

from bridge.connectors.ratelimit import RateGate, Slot
from bridge.connectors.registry import Context
from bridge.services.ports import Watching
from sandbox import Sandbox
from sandbox.github.state import Issue as GitHubIssue
from sandbox.jira.events import change
from sandbox.jira.state import Change, next_id
from tests.connectors.test_github import REPO, make_github
from tests.connectors.test_jira import make_jira


class CountingGate(RateGate):
    def __init__(self) -> None:
        super().__init__(MemoryStorage(), rates={})
        self.taken: Counter[str] = Counter()

    @contextmanager
    def slot(self, budget: str, *scope: str) -> Iterator[Slot]:
        self.taken[budget] += 1
        with super().slot(budget, *scope) as taken:
            yield taken


def counted(context: Context) -> tuple[Context, CountingGate]:
    gate = CountingGate()
    return Context(gate=gate, earlier=context.earlier), gate


def test_a_github_catch_up_costs_a_request_a_page_and_one_per_closed_issue(
    sandbox: Sandbox, context: Context
) -> None:
    context, gate = counted(context)
    github = make_github(sandbox, context)
    since = dt.datetime.now(dt.UTC).replace(microsecond=0)
    repo = sandbox.github.world.repo(*REPO.split("/"))
    assert repo is not None
    numbers = []
    for _ in range(150):
        issue = GitHubIssue(repo.next_number(), "Exports stop", None, "support-bridge-bot")
        repo.issues[issue.number] = issue
        numbers.append(issue.number)
    control = f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/issues"
    for number in numbers[:120]:
        assert requests.post(
            f"{control}/{number}/comments", json={"body": "Found it"}, timeout=10
        ).ok
    for number in numbers[120:]:
        assert requests.post(f"{control}/{number}/close", json={}, timeout=10).ok
    github.repo  # noqa: B018 - the repository looked up once, before the count starts
    sandbox.github.recorder.clear()
    gate.taken.clear()

    found = github.missed_since(since, Watching(ars=tuple(f"{REPO}#{n}" for n in numbers)))

    assert Counter(event.event_type for event in found) == {
        "issue_comment.created": 120,
        "issues.closed": 30,
    }
    asked = Counter(
        re.sub(r"/\d+$", "/<n>", request.path) for request in sandbox.github.recorder.requests
    )
    listings = f"/repos/{REPO}/issues"
    assert asked[f"{listings}/<n>"] == 30  # closed_by, which the listing leaves out
    assert asked[listings] == 2 and asked[f"{listings}/comments"] == 2  # pages of 100
    assert asked[f"{listings}/events"] == 1  # the 30 closes on the timeline: reopens, assignments
    assert f"{listings}/comments/<n>" not in asked  # no item fetched again on its own
    assert gate.taken["github:requests"] == sum(asked.values())


def test_a_jira_catch_up_spends_from_the_budget_for_every_request_it_makes(
    sandbox: Sandbox, context: Context
) -> None:
    context, gate = counted(context)
    jira = make_jira(sandbox, context)
    project = sandbox.jira.world.projects["DEV"]
    keys = [
        sandbox.jira.world.create_issue(project, {"summary": "Exports stop", "labels": []}).key
        for _ in range(120)
    ]
    sandbox.jira.recorder.clear()

    jira.missed_since(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5), Watching(ars=tuple(keys)))

    made = [request.path for request in sandbox.jira.recorder.requests]
    assert sum("/search" in path for path in made) == 2  # one per 100 ARs
    assert gate.taken["jira:requests"] == len(made)
    # The searches name field ids: a restarted bridge asks for no list of the site's fields.
    assert not any(path.endswith("/field") for path in made)


def test_an_ar_changed_more_often_than_a_search_shows_is_read_back_to_the_watermark(
    sandbox: Sandbox, context: Context
) -> None:
    """A search shows 100 histories of a changelog: an AR changed 230 times while the bridge
    heard nothing has the rest read from its changelog, a page of 100 a request, back to the
    watermark and no further (the 30 changes before it are not read again)."""
    context, gate = counted(context)
    jira = make_jira(sandbox, context)
    project = sandbox.jira.world.projects["DEV"]
    issue = sandbox.jira.world.create_issue(project, {"summary": "Exports stop", "labels": []})
    before = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    stamp = "%Y-%m-%dT%H:%M:%S.000+00:00"
    for n in range(30):
        old = Change(next_id(), "dana", [change("labels", None, f"before-{n}")])
        old.created = (before + dt.timedelta(seconds=n)).strftime(stamp)
        issue.history.append(old)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    for n in range(230):
        issue.history.append(Change(next_id(), "dana", [change("labels", None, f"after-{n}")]))
    sandbox.jira.recorder.clear()

    found = jira.missed_since(since, Watching(ars=(issue.key,)))

    told = [e.payload["changelog"]["items"][0]["toString"] for e in found]
    assert sorted(told) == sorted(f"after-{n}" for n in range(230))  # each once, none before
    made = [request.path for request in sandbox.jira.recorder.requests]
    pages = [path for path in made if path.endswith("/changelog")]
    assert len(pages) == 3  # 160-259, 60-159, then 0-59 reaches before the watermark
    assert gate.taken["jira:requests"] == len(made)
