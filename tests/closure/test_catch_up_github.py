"""Nothing missed while down, on GitHub: a developer's comment on a linked issue and its close
as not planned, made while the bridge heard no webhooks, reach support through catch-up once;
the late webhooks (or a catch-up after the webhooks did arrive) add nothing."""

from __future__ import annotations

import requests

from bridge.jobs.clock import utcnow
from sandbox import Sandbox
from sandbox.github.state import Issue as GithubIssue

from .sandboxed import Bridge
from .story import ENGINEER
from .test_ar_speaks import notes
from .test_catch_up_ars import SAID, bridge, bridge_down, late_webhooks, stored
from .test_end_to_end import escalated_with_ar, thread

__all__ = ["bridge"]  # the fixture: GitHub configured too


def github_ar(bridge: Bridge, sandbox: Sandbox) -> tuple[int, str, int]:
    """A ticket escalated and waiting on a GitHub issue too; the bridge started and hears
    GitHub's webhooks: (ticket, repository, issue number)."""
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    owner, name = repo.split("/")
    world = sandbox.github.world.repo(owner, name)
    assert world is not None
    issue = GithubIssue(world.next_number(), "Exports stop at 99%", None, "developer")
    world.issues[issue.number] = issue
    bridge.runtime.services.shipped.join_ar(
        escalation_id, system="github", key=f"{repo}#{issue.number}", by=ENGINEER, now=utcnow()
    )
    bridge.runtime.services.catch_up.run(utcnow())
    sandbox.register_webhook("github", f"{bridge.url}/webhooks/github")
    bridge.settle()
    return ticket, repo, issue.number


def develop_on_github(sandbox: Sandbox, repo: str, number: int) -> None:
    """A developer comments on the issue and closes it as not planned."""
    control = f"{sandbox.urls['github']}/_sandbox/repos/{repo}/issues/{number}"
    said = requests.post(f"{control}/comments", json={"body": SAID}, timeout=10)
    closed = requests.post(f"{control}/close", json={"reason": "not_planned"}, timeout=10)
    assert said.ok and closed.ok


def heard_on_github(sandbox: Sandbox, ticket: int) -> tuple[int, int, int]:
    """(internal notes of the comment, of the close, thread replies of either)."""
    internal, _ = notes(sandbox, ticket)
    comment = len([n for n in internal if "commented on" in n and SAID in n])
    closed = len([n for n in internal if "developer resolved" in n and "Not planned" in n])
    replies = [t for t in thread(sandbox) if SAID in t or "*Not planned*" in t]
    return comment, closed, len(replies)


def test_a_github_comment_and_close_made_while_down_are_heard_once(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox)
    github = sandbox.urls["github"]
    bridge_down(github)
    develop_on_github(sandbox, repo, number)
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (0, 0, 0)

    assert bridge.runtime.services.catch_up.run(utcnow()) >= 2
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)

    answers = late_webhooks(github)
    assert "duplicate" in answers and "accepted" not in answers
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)


def test_a_github_change_whose_webhook_arrived_is_not_heard_again_through_catch_up(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox)
    develop_on_github(sandbox, repo, number)
    bridge.settle()
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)
    delivered = stored(bridge, "github")

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert stored(bridge, "github") == delivered
    assert heard_on_github(sandbox, ticket) == (1, 1, 2)
