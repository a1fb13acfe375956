"""GitHub's issue search (the qualifiers the bridge uses) and the rate-limit overview."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from sandbox.github.payloads import example

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer


def search(server: GithubServer, query: str) -> dict[str, Any]:
    """Supports repo:, is:open/closed/issue/pr, label:, in:title/body and free words."""
    repos = list(server.world.repos.values())
    states, kinds, labels, words = set(), set(), set(), []
    for token in shlex.split(query):
        key, sep, value = token.partition(":")
        if not sep:
            words.append(token.lower())
        elif key == "repo":
            repos = [r for r in repos if r.full_name.lower() == value.lower()]
        elif key == "is" and value in {"open", "closed"}:
            states.add(value)
        elif key == "is" and value in {"issue", "pr"}:
            kinds.add(value)
        elif key == "label":
            labels.add(value)
    items = []
    for repo in repos:
        for issue in repo.issues.values():
            text = f"{issue.title}\n{issue.body or ''}".lower()
            if states and issue.state not in states:
                continue
            if kinds and ("pr" if issue.is_pull else "issue") not in kinds:
                continue
            if not labels <= set(issue.labels) or not all(w in text for w in words):
                continue
            item = server.render.issue(repo, issue) | {"score": 1.0}
            if item["body"] is None:
                del item["body"]  # search results describe body as a non-null string
            items.append(item)
    return {
        "total_count": len(items),
        "incomplete_results": False,
        "items": items,
        "search_type": "lexical",
    }


def rate_limit_overview(server: GithubServer) -> dict[str, Any]:
    overview: dict[str, Any] = example("rate-limit-overview")
    headers = server.rate_limit_headers(0)
    core = {
        "limit": int(headers["x-ratelimit-limit"]),
        "remaining": max(int(headers["x-ratelimit-limit"]) - int(headers["x-ratelimit-used"]), 0),
        "reset": int(headers["x-ratelimit-reset"]),
        "used": int(headers["x-ratelimit-used"]),
    }
    overview["resources"]["core"] = core
    overview["rate"] = core
    return overview
