"""GitHub REST v3 routes: repos, issues, comments, labels, milestones, pulls, releases."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.github import events, hooks, releases, timeline
from sandbox.github.search import rate_limit_overview, search
from sandbox.github.state import Comment, Issue, Label, Repo, now

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer

R = "/repos/<owner>/<name>"


def register(app: Flask, server: GithubServer) -> None:
    def with_repo(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(owner: str, name: str, **kwargs: Any) -> Any:
            repo = server.world.repo(owner, name)
            if repo is None:
                return server.not_found()
            return view(repo, **kwargs)

        return wrapper

    releases.register(app, server, with_repo)
    hooks.register(app, server, with_repo)
    timeline.register(app, server, with_repo)

    def body() -> dict[str, Any]:
        return request.get_json(silent=True) or {}

    def issue_or_404(repo: Repo, number: int) -> Issue | None:
        return repo.issues.get(number)

    @app.get(R)
    @with_repo
    def get_repo(repo: Repo) -> Any:
        return jsonify(server.render.repository(repo))

    @app.get(f"{R}/issues")
    @with_repo
    def list_issues(repo: Repo) -> Any:
        """State, labels, ``since`` (updated at or after) and ``sort=updated``, paged."""
        state = request.args.get("state", "open")
        wanted = {x for x in request.args.get("labels", "").split(",") if x}
        since = request.args.get("since", "")
        found = [
            i
            for i in repo.issues.values()
            if (state == "all" or i.state == state)
            and wanted <= set(i.labels)
            and _not_before(i.updated_at, since)
        ]
        if request.args.get("sort") == "updated":
            descending = request.args.get("direction", "desc") == "desc"
            found.sort(key=lambda i: i.updated_at, reverse=descending)
        return jsonify(page_of([server.render.issue(repo, i) for i in found]))

    @app.get(f"{R}/issues/comments")
    @with_repo
    def list_repo_comments(repo: Repo) -> Any:
        """Every issue's comments, ``since`` (updated at or after), oldest first, paged."""
        since = request.args.get("since", "")
        found = [c for c in repo.comments.values() if _not_before(c.updated_at, since)]
        descending = request.args.get("direction", "asc") == "desc"
        found.sort(key=lambda c: (c.created_at, c.id), reverse=descending)
        return jsonify(page_of([server.render.comment(repo, c) for c in found]))

    @app.post(f"{R}/issues")
    @with_repo
    def create_issue(repo: Repo) -> Any:
        data = body()
        if not str(data.get("title", "")).strip():
            return server.validation_failed("Issue", "title", "missing_field")
        milestone = data.get("milestone")
        if milestone is not None and int(milestone) not in repo.milestones:
            return server.validation_failed("Issue", "milestone")
        labels = [str(x) for x in data.get("labels", [])]
        repo.ensure_labels(labels)
        issue = Issue(
            repo.next_number(),
            str(data["title"]),
            data.get("body"),
            server.actor,
            labels=labels,
            assignees=list(data.get("assignees", [])),
            milestone=int(milestone) if milestone is not None else None,
        )
        repo.issues[issue.number] = issue
        events.issue_changed(server, repo, issue, "opened", server.actor)
        response = jsonify(server.render.issue(repo, issue))
        response.headers["Location"] = server.render.issue(repo, issue)["url"]
        return response, 201

    @app.get(f"{R}/issues/<int:number>")
    @with_repo
    def get_issue(repo: Repo, number: int) -> Any:
        issue = issue_or_404(repo, number)
        return jsonify(server.render.issue(repo, issue)) if issue else server.not_found()

    @app.patch(f"{R}/issues/<int:number>")
    @with_repo
    def edit_issue(repo: Repo, number: int) -> Any:
        issue = issue_or_404(repo, number)
        if issue is None:
            return server.not_found()
        data = body()
        changes: dict[str, Any] = {}
        for key in ("title", "body"):
            if key in data and data[key] != getattr(issue, key):
                changes[key] = {"from": getattr(issue, key)}
                setattr(issue, key, data[key])
        before_labels = list(issue.labels)
        if "labels" in data:
            names = [x if isinstance(x, str) else x["name"] for x in data["labels"]]
            repo.ensure_labels(names)
            issue.labels = names
        if "assignees" in data:
            issue.assignees = list(data["assignees"])
        if "milestone" in data:
            issue.milestone = data["milestone"]
        state_action = None
        if data.get("state") in {"open", "closed"} and data["state"] != issue.state:
            issue.state = data["state"]
            issue.closed_at = now() if issue.state == "closed" else None
            issue.closed_by = server.actor if issue.state == "closed" else None
            issue.state_reason = data.get("state_reason") or (
                "completed" if issue.state == "closed" else "reopened"
            )
            state_action = "closed" if issue.state == "closed" else "reopened"
        issue.updated_at = now()
        # GitHub sends one delivery per kind of change, like the web UI does.
        sender = server.actor
        if changes:
            events.issue_changed(server, repo, issue, "edited", sender, changes=changes)
        for label in [x for x in issue.labels if x not in before_labels]:
            events.issue_changed(server, repo, issue, "labeled", sender, label=label)
        for label in [x for x in before_labels if x not in issue.labels]:
            events.issue_changed(server, repo, issue, "unlabeled", sender, label=label)
        if state_action:
            timeline.record(server, repo, issue, state_action, sender)
        return jsonify(server.render.issue(repo, issue))

    @app.get(f"{R}/issues/<int:number>/comments")
    @with_repo
    def list_comments(repo: Repo, number: int) -> Any:
        if issue_or_404(repo, number) is None:
            return server.not_found()
        found = [c for c in repo.comments.values() if c.issue_number == number]
        return jsonify([server.render.comment(repo, c) for c in found])

    @app.post(f"{R}/issues/<int:number>/comments")
    @with_repo
    def create_comment(repo: Repo, number: int) -> Any:
        issue = issue_or_404(repo, number)
        if issue is None:
            return server.not_found()
        text = body().get("body")
        if not text:
            return server.validation_failed("IssueComment", "body", "missing_field")
        return jsonify(server.render.comment(repo, add_comment(server, repo, issue, text))), 201

    @app.get(f"{R}/issues/comments/<int:comment_id>")
    @with_repo
    def get_comment(repo: Repo, comment_id: int) -> Any:
        comment = repo.comments.get(comment_id)
        return jsonify(server.render.comment(repo, comment)) if comment else server.not_found()

    @app.patch(f"{R}/issues/comments/<int:comment_id>")
    @with_repo
    def edit_comment(repo: Repo, comment_id: int) -> Any:
        comment = repo.comments.get(comment_id)
        if comment is None:
            return server.not_found()
        comment.body, comment.updated_at = body().get("body", comment.body), now()
        return jsonify(server.render.comment(repo, comment))

    @app.get(f"{R}/issues/<int:number>/labels")
    @with_repo
    def issue_labels(repo: Repo, number: int) -> Any:
        issue = issue_or_404(repo, number)
        if issue is None:
            return server.not_found()
        return jsonify([server.render.label(repo, repo.labels[n]) for n in issue.labels])

    @app.post(f"{R}/issues/<int:number>/labels")
    @with_repo
    def add_labels(repo: Repo, number: int) -> Any:
        issue = issue_or_404(repo, number)
        if issue is None:
            return server.not_found()
        data = request.get_json(silent=True)
        names = data.get("labels", []) if isinstance(data, dict) else data or []
        names = [x if isinstance(x, str) else x["name"] for x in names]
        repo.ensure_labels(names)
        for label in names:
            if label not in issue.labels:
                issue.labels.append(label)
                events.issue_changed(server, repo, issue, "labeled", server.actor, label=label)
        return jsonify([server.render.label(repo, repo.labels[n]) for n in issue.labels])

    @app.delete(f"{R}/issues/<int:number>/labels/<label>")
    @with_repo
    def remove_label(repo: Repo, number: int, label: str) -> Any:
        issue = issue_or_404(repo, number)
        if issue is None or label not in issue.labels:
            return server.error(404, "Label does not exist")
        issue.labels.remove(label)
        events.issue_changed(server, repo, issue, "unlabeled", server.actor, label=label)
        return jsonify([server.render.label(repo, repo.labels[n]) for n in issue.labels])

    @app.get(f"{R}/labels")
    @with_repo
    def list_labels(repo: Repo) -> Any:
        return jsonify([server.render.label(repo, label) for label in repo.labels.values()])

    @app.post(f"{R}/labels")
    @with_repo
    def create_label(repo: Repo) -> Any:
        data = body()
        if data.get("name") in repo.labels:
            return server.validation_failed("Label", "name", "already_exists")
        label = Label(data["name"], data.get("color", "ededed"), data.get("description"))
        repo.labels[label.name] = label
        return jsonify(server.render.label(repo, label)), 201

    @app.get(f"{R}/labels/<label>")
    @with_repo
    def get_label(repo: Repo, label: str) -> Any:
        found = repo.labels.get(label)
        return jsonify(server.render.label(repo, found)) if found else server.not_found()

    @app.get("/rate_limit")
    def rate_limit() -> Any:
        return jsonify(rate_limit_overview(server))

    @app.get("/search/issues")
    def search_issues() -> Any:
        return jsonify(search(server, request.args.get("q", "")))


def page_of(items: list[Any]) -> list[Any]:
    size = min(int(request.args.get("per_page", 30)), 100)
    start = (max(int(request.args.get("page", 1)), 1) - 1) * size
    return items[start : start + size]


def _not_before(stamp: str, since: str) -> bool:
    """GitHub's ``since``: an ISO 8601 time; the sandbox's stamps are UTC with a Z."""
    if not since:
        return True
    limit = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) >= limit


def add_comment(
    server: GithubServer, repo: Repo, issue: Issue, text: str, user: str = ""
) -> Comment:
    comment = Comment(issue.number, text, user or server.actor)
    repo.comments[comment.id] = comment
    issue.comments += 1
    issue.updated_at = now()
    events.comment_created(server, repo, comment, comment.user)
    return comment
