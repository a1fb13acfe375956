"""The webhooks GitHub sends when the sandbox's state changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.github.state import Comment, Issue, Pull, Release, Repo

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer


def _envelope(server: GithubServer, repo: Repo, action: str, sender: str) -> dict[str, Any]:
    return {
        "action": action,
        "repository": server.render.repository(repo),
        "sender": server.render.user(sender),
    }


def issue_changed(
    server: GithubServer,
    repo: Repo,
    issue: Issue,
    action: str,
    sender: str,
    *,
    changes: dict[str, Any] | None = None,
    label: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    payload = _envelope(server, repo, action, sender)
    payload["issue"] = server.render.issue(repo, issue)
    payload.update(extra or {})
    if changes:
        payload["changes"] = changes
    if label is not None:
        payload["label"] = server.render.label(repo, repo.labels[label])
    server.emit("issues", payload)


def comment_created(server: GithubServer, repo: Repo, comment: Comment, sender: str) -> None:
    payload = _envelope(server, repo, "created", sender)
    payload["issue"] = server.render.issue(repo, repo.issues[comment.issue_number])
    payload["comment"] = server.render.comment(repo, comment)
    server.emit("issue_comment", payload)


def pull_closed(server: GithubServer, repo: Repo, pull: Pull, sender: str) -> None:
    payload = _envelope(server, repo, "closed", sender)
    payload["number"] = pull.number
    payload["pull_request"] = server.render.pull(repo, pull)
    server.emit("pull_request", payload)


def release_published(server: GithubServer, repo: Repo, release: Release, sender: str) -> None:
    payload = _envelope(server, repo, "published", sender)
    payload["release"] = server.render.release(repo, release)
    server.emit("release", payload)
