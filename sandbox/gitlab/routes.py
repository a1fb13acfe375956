"""GitLab REST API v4 routes: the project, its issues, their notes and links, merge requests,
releases and the project's hooks. A project is named by its id or its URL-encoded path."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, request

from sandbox.gitlab import rules
from sandbox.gitlab.hooks import ISSUE_HOOK, NOTE_HOOK
from sandbox.gitlab.state import Issue, IssueLink, Note, Project, User, now

if TYPE_CHECKING:
    from sandbox.gitlab.app import GitlabServer

P = "/api/v4/projects/<path:project_ref>"


def _at(value: str) -> datetime:
    """A time the API takes or gives (ISO 8601, ``Z`` or an offset)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def labels_of(value: Any) -> list[str]:
    names = value.split(",") if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(str(name).strip() for name in names if str(name).strip()))


def paged(items: list[Any]) -> Response:
    """A page of ``items`` with GitLab's pagination headers and ``Link``."""
    size = int(request.args.get("per_page", 20))
    page = int(request.args.get("page", 1))
    total_pages = max((len(items) + size - 1) // size, 1)
    response = jsonify(items[(page - 1) * size : page * size])
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(size),
        "X-Total": str(len(items)),
        "X-Total-Pages": str(total_pages),
        "X-Next-Page": str(page + 1) if page < total_pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    base = request.base_url
    query = {k: v for k, v in request.args.items() if k != "page"}
    links = [f'<{base}?{urlencode(query | {"page": page + 1})}>; rel="next"'] * (page < total_pages)
    links.append(f'<{base}?{urlencode(query | {"page": 1})}>; rel="first"')
    links.append(f'<{base}?{urlencode(query | {"page": total_pages})}>; rel="last"')
    response.headers.update(headers | {"Link": ", ".join(links)})
    return response


def add_note(server: GitlabServer, project: Project, issue: Issue, body: str, user: User) -> Note:
    note = Note(body, user)
    issue.notes.append(note)
    issue.updated_at = now()
    server.emit(NOTE_HOOK, server.render.note_hook(project, issue, note, "create"))
    return note


def change_state(
    server: GitlabServer, project: Project, issue: Issue, event: str, user: User
) -> None:
    """``close`` or ``reopen``, with the system note GitLab writes and its Issue Hook."""
    wanted = "closed" if event == "close" else "opened"
    if issue.state == wanted:
        return
    previous = issue.state
    issue.state, issue.updated_at = wanted, now()
    issue.closed_at = issue.updated_at if wanted == "closed" else None
    issue.closed_by = user if wanted == "closed" else None
    issue.notes.append(Note(wanted, user, system=True))
    changes = {"state_id": {"previous": 1 if previous == "opened" else 2, "current": 2}}
    if wanted == "opened":
        changes["state_id"]["current"] = 1
    server.emit(ISSUE_HOOK, server.render.issue_hook(project, issue, user, event, changes))


def project_view(server: GitlabServer) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view taking the project its path names (``project_ref``): GitLab's 404 if none."""

    def with_project(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(project_ref: str, **kwargs: Any) -> Any:
            project = server.world.project(project_ref)
            if project is None:
                return server.not_found("Project")
            return view(project, **kwargs)

        return wrapped

    return with_project


def register(app: Flask, server: GitlabServer) -> None:
    with_project = project_view(server)

    def issue_of(project: Project, iid: int) -> Issue | None:
        return project.issues.get(iid)

    def params() -> dict[str, Any]:
        return rules.params_of(request)

    @app.get("/api/v4/user")
    def current_user() -> Any:
        return jsonify(server.render.user(server.world.bot) | {"bot": True})

    @app.get(P)
    @with_project
    def get_project(project: Project) -> Any:
        return jsonify(server.render.project(project))

    @app.get(f"{P}/issues")
    @with_project
    def list_issues(project: Project) -> Any:
        wanted = set(labels_of(request.args.get("labels", "")))
        state = request.args.get("state", "all")
        found = [
            i
            for i in project.issues.values()
            if wanted <= set(i.labels) and state in ("all", i.state)
        ]
        order = request.args.get("order_by", "created_at")
        found.sort(
            key=lambda i: (str(getattr(i, order, i.created_at)), i.iid),
            reverse=request.args.get("sort", "desc") == "desc",
        )
        return paged([server.render.issue(project, i) for i in found])

    @app.post(f"{P}/issues")
    @with_project
    def create_issue(project: Project) -> Any:
        given = params()
        issue = Issue(
            project.next_iid(),
            str(given["title"]),
            given.get("description"),
            server.world.bot,
            labels_of(given.get("labels")),
        )
        project.issues[issue.iid] = issue
        hook = server.render.issue_hook(project, issue, server.world.bot, "open", {})
        server.emit(ISSUE_HOOK, hook)
        return jsonify(server.render.issue(project, issue)), 201

    @app.get(f"{P}/issues/<int:iid>")
    @with_project
    def get_issue(project: Project, iid: int) -> Any:
        issue = issue_of(project, iid)
        return jsonify(server.render.issue(project, issue)) if issue else server.not_found()

    @app.put(f"{P}/issues/<int:iid>")
    @with_project
    def edit_issue(project: Project, iid: int) -> Any:
        issue = issue_of(project, iid)
        if issue is None:
            return server.not_found()
        given, bot = params(), server.world.bot
        changes: dict[str, Any] = {}
        for name in ("title", "description"):
            if name in given and given[name] != getattr(issue, name):
                changes[name] = {"previous": getattr(issue, name), "current": given[name]}
                setattr(issue, name, given[name])
        labels = labels_of(given["labels"]) if "labels" in given else list(issue.labels)
        labels += [n for n in labels_of(given.get("add_labels")) if n not in labels]
        labels = [n for n in labels if n not in labels_of(given.get("remove_labels"))]
        if labels != issue.labels:
            changes["labels"] = {"previous": issue.labels, "current": labels}
            issue.labels = labels
        if changes:
            issue.updated_at = now()
            hook = server.render.issue_hook(project, issue, bot, "update", changes)
            server.emit(ISSUE_HOOK, hook)
        if given.get("state_event"):
            change_state(server, project, issue, str(given["state_event"]), bot)
        return jsonify(server.render.issue(project, issue))

    @app.get(f"{P}/issues/<int:iid>/notes")
    @with_project
    def list_notes(project: Project, iid: int) -> Any:
        issue = issue_of(project, iid)
        if issue is None:
            return server.not_found()
        ascending = request.args.get("sort", "desc") == "asc"
        order = request.args.get("order_by", "created_at")
        notes = sorted(
            issue.notes, key=lambda n: (str(getattr(n, order)), n.id), reverse=not ascending
        )
        return paged([server.render.note(issue, n) for n in notes])

    @app.post(f"{P}/issues/<int:iid>/notes")
    @with_project
    def create_note(project: Project, iid: int) -> Any:
        issue = issue_of(project, iid)
        if issue is None:
            return server.not_found()
        note = add_note(server, project, issue, str(params()["body"]), server.world.bot)
        return jsonify(server.render.note(issue, note)), 201

    @app.get(f"{P}/issues/<int:iid>/notes/<int:note_id>")
    @with_project
    def get_note(project: Project, iid: int, note_id: int) -> Any:
        issue = issue_of(project, iid)
        note = next((n for n in issue.notes if n.id == note_id), None) if issue else None
        return jsonify(server.render.note(issue, note)) if issue and note else server.not_found()

    @app.put(f"{P}/issues/<int:iid>/notes/<int:note_id>")
    @with_project
    def edit_note(project: Project, iid: int, note_id: int) -> Any:
        issue = issue_of(project, iid)
        note = next((n for n in issue.notes if n.id == note_id), None) if issue else None
        if issue is None or note is None:
            return server.not_found()
        if note.author != server.world.bot:
            return server.error(403, "403 Forbidden")
        note.body, note.updated_at = str(params()["body"]), now()
        server.emit(NOTE_HOOK, server.render.note_hook(project, issue, note, "update"))
        return jsonify(server.render.note(issue, note))

    @app.get(f"{P}/issues/<int:iid>/links")
    @with_project
    def list_links(project: Project, iid: int) -> Any:
        if issue_of(project, iid) is None:
            return server.not_found()
        shown = [
            server.render.link(project, link) for link in project.links if link.source_iid == iid
        ] + [
            server.render.link(project, IssueLink(iid, link.source_iid, link.link_type, link.id))
            for link in project.links
            if link.target_iid == iid
        ]
        return jsonify(shown)

    @app.post(f"{P}/issues/<int:iid>/links")
    @with_project
    def create_link(project: Project, iid: int) -> Any:
        given = params()
        target_project = server.world.project(str(given["target_project_id"]))
        source = issue_of(project, iid)
        target_iid = int(given["target_issue_iid"])
        if source is None or target_project is not project or target_iid not in project.issues:
            return server.not_found()
        pair = {iid, target_iid}
        if target_iid == iid or any({lk.source_iid, lk.target_iid} == pair for lk in project.links):
            return server.error(409, "Issue(s) already assigned")
        link = IssueLink(iid, target_iid, str(given.get("link_type") or "relates_to"))
        project.links.append(link)
        render = server.render
        return jsonify(
            {
                "source_issue": render.issue(project, source),
                "target_issue": render.issue(project, project.issues[target_iid]),
                "link_type": link.link_type,
            }
        ), 201

    @app.get(f"{P}/merge_requests")
    @with_project
    def list_merge_requests(project: Project) -> Any:
        state, after = request.args.get("state", "all"), request.args.get("updated_after")
        found = [m for m in project.merge_requests.values() if state in ("all", m.state)]
        found = [m for m in found if after is None or _at(m.updated_at) >= _at(after)]
        order = request.args.get("order_by", "created_at")
        found.sort(
            key=lambda m: str(getattr(m, order, m.created_at)),
            reverse=request.args.get("sort", "desc") == "desc",
        )
        return paged([server.render.merge_request(project, m) for m in found])

    @app.get(f"{P}/merge_requests/<int:iid>")
    @with_project
    def get_merge_request(project: Project, iid: int) -> Any:
        found = project.merge_requests.get(iid)
        if found is None:
            return server.not_found()
        return jsonify(server.render.merge_request(project, found))

    @app.get(f"{P}/releases")
    @with_project
    def list_releases(project: Project) -> Any:
        order = request.args.get("order_by", "released_at")
        shown = sorted(
            project.releases.values(),
            key=lambda r: str(getattr(r, order)),
            reverse=request.args.get("sort", "desc") == "desc",
        )
        return paged([server.render.release(project, r) for r in shown])

    @app.get(f"{P}/releases/<path:tag>")
    @with_project
    def get_release(project: Project, tag: str) -> Any:
        found = project.releases.get(tag)
        return jsonify(server.render.release(project, found)) if found else server.not_found()
