"""Issue events (``GET /repos/{owner}/{repo}/issues/events``, newest first, as GitHub lists
them) and the developer's side of them in ``/_sandbox``: reopen, assign and unassign an issue,
each with the webhook GitHub sends (``issues.reopened``, ``issues.assigned``,
``issues.unassigned``). The event's time is the issue's ``updated_at`` in that webhook."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, jsonify, request

from sandbox.github import events
from sandbox.github.state import Issue, IssueEvent, Repo, now

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer

R = "/repos/<owner>/<name>"


def record(
    server: GithubServer,
    repo: Repo,
    issue: Issue,
    event: str,
    actor: str,
    assignee: str | None = None,
) -> None:
    """The event on the issue's timeline, then its webhook (stamped alike)."""
    issue.updated_at = now()
    repo.issue_events.append(
        IssueEvent(
            issue.number, event, actor, assignee, issue.state_reason, created_at=issue.updated_at
        )
    )
    if event in ("assigned", "unassigned") and assignee is not None:
        payload_extra = {"assignee": server.render.user(assignee)}
        events.issue_changed(server, repo, issue, event, actor, extra=payload_extra)
    else:
        events.issue_changed(server, repo, issue, event, actor)


def render(server: GithubServer, repo: Repo, event: IssueEvent) -> dict[str, Any]:
    url = f"{server.base_url}/repos/{repo.full_name}/issues/events/{event.id}"
    shown: dict[str, Any] = {
        "id": event.id,
        "node_id": f"IE_{event.id}",
        "url": url,
        "actor": server.render.user(event.actor),
        "event": event.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": event.created_at,
        "performed_via_github_app": None,
        "issue": server.render.issue(repo, repo.issues[event.issue_number]),
    }
    if event.assignee is not None:
        shown["assignee"] = server.render.user(event.assignee)
        shown["assigner"] = server.render.user(event.actor)
    return shown


def register(app: Flask, server: GithubServer, with_repo: Callable[..., Any]) -> None:
    from sandbox.github.routes import page_of

    @app.get(f"{R}/issues/events")
    @with_repo
    def list_issue_events(repo: Repo) -> Any:
        newest_first = sorted(repo.issue_events, key=lambda e: (e.created_at, e.id), reverse=True)
        return jsonify([render(server, repo, e) for e in page_of(newest_first)])


def register_control(bp: Blueprint, server: GithubServer) -> None:
    def issue_of(owner: str, name: str, number: int) -> tuple[Repo, Issue] | None:
        repo = server.world.repo(owner, name)
        if repo is None or number not in repo.issues:
            return None
        return repo, repo.issues[number]

    def as_developer() -> str:
        data = request.get_json(silent=True) or {}
        return str(data.get("user") or "developer")

    @bp.post(f"{R}/issues/<int:number>/reopen")
    def reopen_issue(owner: str, name: str, number: int) -> Any:
        with server.lock:
            found = issue_of(owner, name, number)
            if found is None:
                return jsonify({"error": "no such issue"}), 404
            repo, issue = found
            issue.state, issue.state_reason = "open", "reopened"
            issue.closed_at = issue.closed_by = None
            record(server, repo, issue, "reopened", as_developer())
            return jsonify(server.render.issue(repo, issue))

    @bp.post(f"{R}/issues/<int:number>/<any(assign, unassign):change>")
    def assign_issue(owner: str, name: str, number: int, change: str) -> Any:
        """Body: {"assignee": "login", "user": "who does it"}."""
        assignee = str((request.get_json(silent=True) or {}).get("assignee") or "")
        with server.lock:
            found = issue_of(owner, name, number)
            if found is None or not assignee:
                return jsonify({"error": "no such issue, or no assignee named"}), 404
            repo, issue = found
            if change == "assign" and assignee not in issue.assignees:
                issue.assignees.append(assignee)
            elif change == "unassign" and assignee in issue.assignees:
                issue.assignees.remove(assignee)
            record(server, repo, issue, f"{change}ed", as_developer(), assignee)
            return jsonify(server.render.issue(repo, issue))
