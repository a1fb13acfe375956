"""GitHub catch-up at its page cap, against the sandbox with small pages (two items, one page a
run): the oldest-first listings stop the run at their last item's time, read on to the end of
the second they stopped in, and a newest-first listing stopped before the watermark is said
unread."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.connectors.github import catchup
from bridge.connectors.registry import Context
from bridge.services.ports import CutOff, Watching
from sandbox import Sandbox
from sandbox.github.state import Comment, Release
from sandbox.github.state import Issue as GitHubIssue
from tests.connectors.test_github import REPO, make_github


def stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def later_than_other_tests() -> dt.datetime:
    """A watermark past what other tests did in the shared sandbox, the changes after it."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catchup, "PAGE", 2)
    monkeypatch.setattr(catchup, "MAX_PAGES", 1)


@pytest.mark.usefixtures("small_pages")
def test_comments_sharing_a_second_past_the_cap_are_read_to_its_end_and_the_run_stops_after(
    sandbox: Sandbox, context: Context
) -> None:
    github = make_github(sandbox, context)
    repo = sandbox.github.world.repo(*REPO.split("/"))
    assert repo is not None
    since = later_than_other_tests()
    bulk, later = since + dt.timedelta(minutes=1), since + dt.timedelta(minutes=2)
    issue = GitHubIssue(repo.next_number(), "Exports stop", None, "developer")
    issue.updated_at = stamp(later)
    repo.issues[issue.number] = issue
    said = [f"Seen at customer {n}" for n in range(6)]
    for n, text in enumerate(said):  # five in one second (a bulk import), one after
        comment = Comment(issue.number, text, "developer")
        comment.created_at = comment.updated_at = stamp(later if n == 5 else bulk)
        repo.comments[comment.id] = comment

    found = github.missed_since(since, Watching(ars=(f"{REPO}#{issue.number}",)))

    assert isinstance(found, CutOff)
    assert found.read_until == later  # past the bulk's second: the next run makes headway
    assert found.unread == ()
    bodies = [e.payload["comment"]["body"] for e in found.events if "comment" in e.payload]
    assert bodies == said


@pytest.mark.usefixtures("small_pages")
def test_releases_past_the_cap_before_the_watermark_are_said_unread(
    sandbox: Sandbox, context: Context
) -> None:
    github = make_github(sandbox, context)
    repo = sandbox.github.world.repo(*REPO.split("/"))
    assert repo is not None
    since = later_than_other_tests()
    for n in range(3):
        release = Release(f"v2.{n}", "main", None, None, False, False, "developer")
        release.created_at = release.published_at = stamp(since + dt.timedelta(minutes=n + 1))
        repo.releases[release.id] = release

    found = github.missed_since(since, Watching())

    assert isinstance(found, CutOff)
    tags = sorted(e.payload["release"]["tag_name"] for e in found.events)
    assert tags == ["v2.1", "v2.2"]  # the newest page, acted on
    [unread] = found.unread
    oldest_read = f"{since + dt.timedelta(minutes=2):%Y-%m-%d %H:%M:%S}Z"
    assert unread.startswith(f"GitHub releases: releases published before {oldest_read}")
    assert "not caught up" in unread
