"""Nothing missed while down, on GitHub's issue timeline: a linked AR reopened and assigned
while the bridge heard no webhooks reaches support through catch-up (the repository's issue
events) once; the late webhooks, or a catch-up after the webhooks did arrive, add nothing."""

from __future__ import annotations

import requests

from bridge.jobs.clock import utcnow
from sandbox import Sandbox

from .sandboxed import Bridge
from .test_ar_speaks import notes
from .test_catch_up_ars import bridge, bridge_down, late_webhooks, stored
from .test_catch_up_github import github_ar
from .test_end_to_end import thread

__all__ = ["bridge"]  # the fixture: GitHub configured too
ASSIGNEE = "dana-dev"


def reopen_and_assign(sandbox: Sandbox, repo: str, number: int) -> None:
    control = f"{sandbox.urls['github']}/_sandbox/repos/{repo}/issues/{number}"
    reopened = requests.post(f"{control}/reopen", json={}, timeout=10)
    assigned = requests.post(f"{control}/assign", json={"assignee": ASSIGNEE}, timeout=10)
    assert reopened.ok and assigned.ok


def heard_state(sandbox: Sandbox, ticket: int, repo: str, number: int) -> tuple[int, int, int]:
    """(internal notes of the reopen, of the assignment, thread replies of either)."""
    internal, _ = notes(sandbox, ticket)
    ar = f"github:{repo}#{number}"
    reopened = len([n for n in internal if f"status of {ar} to Reopened" in n])
    assigned = len([n for n in internal if f"assignee of {ar} to {ASSIGNEE}" in n])
    replies = [t for t in thread(sandbox) if "*Reopened*" in t or f"*{ASSIGNEE}*" in t]
    return reopened, assigned, len(replies)


def test_an_ar_reopened_and_assigned_while_down_is_heard_once(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox)
    github = sandbox.urls["github"]
    closed = requests.post(
        f"{github}/_sandbox/repos/{repo}/issues/{number}/close", json={}, timeout=10
    )
    assert closed.ok
    bridge.settle()
    bridge_down(github)
    reopen_and_assign(sandbox, repo, number)
    bridge.settle()
    assert heard_state(sandbox, ticket, repo, number) == (0, 0, 0)
    before = stored(bridge, "github")

    bridge.runtime.services.catch_up.run(utcnow())
    assert stored(bridge, "github") == before + 2  # the reopen and the assignment
    bridge.settle()
    assert heard_state(sandbox, ticket, repo, number) == (1, 1, 2)

    answers = late_webhooks(github)
    assert answers.count("duplicate") == 2 and "accepted" not in answers
    bridge.settle()
    assert heard_state(sandbox, ticket, repo, number) == (1, 1, 2)


def test_a_reopen_and_an_assignment_whose_webhooks_arrived_are_not_heard_again(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, repo, number = github_ar(bridge, sandbox)
    reopen_and_assign(sandbox, repo, number)
    bridge.settle()
    assert heard_state(sandbox, ticket, repo, number) == (1, 1, 2)
    delivered = stored(bridge, "github")

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert stored(bridge, "github") == delivered
    assert heard_state(sandbox, ticket, repo, number) == (1, 1, 2)
