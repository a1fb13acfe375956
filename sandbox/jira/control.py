"""/_sandbox routes for acting as a developer in Jira: transition, comment, release, workflow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from sandbox.jira import events
from sandbox.jira.edits import create_comment
from sandbox.jira.links import link_as_duplicate
from sandbox.jira.render import ACTING_AS
from sandbox.jira.state import Transition
from sandbox.jira.workflow import move, move_to_project, release

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer


@contextmanager
def as_developer() -> Iterator[None]:
    token = ACTING_AS.set("developer")
    try:
        yield
    finally:
        ACTING_AS.reset(token)


def register(bp: Blueprint, server: JiraServer) -> None:
    def body() -> dict[str, Any]:
        return request.get_json(silent=True) or {}

    @bp.post("/projects")
    def add_project() -> Any:
        data = body()
        project = server.world.add_project(data["key"], data.get("name", data["key"]))
        return jsonify({"id": project.id, "key": project.key}), 201

    @bp.post("/issues/<key>/transition")
    def transition(key: str) -> Any:
        """Body: {"to": "Done", "resolution": "Done"}; moves even if no transition leads there.
        With "duplicates": "DEV-3" the issue is first linked as a duplicate of that one (Jira's
        resolve screen sets the link with the resolution; the update then lists it)."""
        data = body()
        with server.lock:
            issue = server.world.issue(key)
            if issue is None:
                return jsonify({"error": f"no issue {key}"}), 404
            if data.get("duplicates"):
                survivor = server.world.issue(data["duplicates"])
                if survivor is None:
                    return jsonify({"error": f"no issue {data['duplicates']}"}), 404
                link_as_duplicate(server, issue, survivor)
            target = Transition("0", data["to"], data["to"])
            fields = {"resolution": {"name": data["resolution"]}} if data.get("resolution") else {}
            with as_developer():
                move(server, issue, target, fields)
            return jsonify(server.render.issue(issue))

    @bp.post("/issues/<key>/link")
    def link_duplicate(key: str) -> Any:
        """Body: {"duplicates": "DEV-3"}: a developer links the issue as a duplicate of that one
        in Jira's "Link issue" dialog; the update's changelog has the ``Link`` item."""
        with server.lock:
            issue = server.world.issue(key)
            survivor = server.world.issue(str(body().get("duplicates", "")))
            if issue is None or survivor is None:
                return jsonify({"error": "no such issue"}), 404
            link_as_duplicate(server, issue, survivor)
            said = f"This issue duplicates {survivor.key}"
            with as_developer():
                events.issue_updated(
                    server, issue, [events.change("Link", None, said, None, survivor.key)]
                )
            return jsonify(server.render.issue(issue))

    @bp.post("/issues/<key>/move")
    def move_issue(key: str) -> Any:
        """Body: {"project": "OPS"}: Jira's Move; the issue gets a new key and keeps its id."""
        with server.lock:
            issue = server.world.issue(key)
            project = server.world.projects.get(str(body().get("project", "")))
            if issue is None or project is None:
                return jsonify({"error": f"no issue {key} or no such project"}), 404
            with as_developer():
                move_to_project(server, issue, project)
            return jsonify(server.render.issue(issue))

    @bp.post("/issues/<key>/comments")
    def comment(key: str) -> Any:
        data = body()
        with server.lock:
            issue = server.world.issue(key)
            if issue is None:
                return jsonify({"error": f"no issue {key}"}), 404
            with as_developer():
                made = create_comment(
                    server, issue, data["body"], internal=bool(data.get("internal"))
                )
            return jsonify(server.render.comment(issue, made)), 201

    @bp.post("/versions/<version_id>/release")
    def release_version(version_id: str) -> Any:
        with server.lock:
            version = server.world.version(version_id)
            if version is None:
                return jsonify({"error": f"no version {version_id}"}), 404
            with as_developer():
                release(server, version)
            return jsonify(server.render.version(version))

    @bp.put("/workflow")
    def set_workflow() -> Any:
        """Body: {"transitions": [{"id": "31", "name": "Done", "to": "Done",
        "required": ["resolution"]}, ...]} over the statuses To Do / In Progress / Done."""
        with server.lock:
            server.world.transitions = tuple(
                Transition(str(t["id"]), t["name"], t["to"], tuple(t.get("required", ())))
                for t in body()["transitions"]
            )
            return jsonify({"transitions": len(server.world.transitions)})

    @bp.put("/search_lag")
    def set_search_lag() -> Any:
        """Body: {"seconds": 5}: newer issues are missing from /search/jql unless reconciled."""
        with server.lock:
            server.world.search_lag_seconds = float(body().get("seconds", 0))
            return jsonify({"seconds": server.world.search_lag_seconds})
