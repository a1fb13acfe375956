"""Jira routes for the workflow (transitions) and project versions (create, release)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.jira import events
from sandbox.jira.edits import apply_update
from sandbox.jira.state import RESOLUTIONS, Issue, Project, Transition, Version, next_id, now

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

API = '/rest/api/<any("2","3","latest"):v>'


def _api(v: str) -> str:
    return "3" if v == "3" else "2"


def transition_json(
    server: JiraServer, transition: Transition, v: str, with_fields: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": transition.id,
        "name": transition.name,
        "to": server.render.status(transition.to, v),
        "hasScreen": bool(transition.required),
        "isGlobal": True,
        "isInitial": False,
        "isAvailable": True,
        "isConditional": False,
        "isLooped": False,
    }
    if with_fields:
        data["fields"] = {
            name: {
                "required": True,
                "schema": {"type": name, "system": name},
                "name": name.capitalize(),
                "key": name,
                "operations": ["set"],
                "allowedValues": [
                    r | {"self": f"{server.render.rest(v)}/resolution/{r['id']}"}
                    for r in RESOLUTIONS
                ]
                if name == "resolution"
                else [],
            }
            for name in transition.required
        }
    return data


def move(
    server: JiraServer, issue: Issue, transition: Transition, fields: dict[str, Any]
) -> dict[str, str] | None:
    """Run a transition: check its required fields, change status, send jira:issue_updated."""
    missing = {
        n: f"{n.capitalize()} is required." for n in transition.required if not fields.get(n)
    }
    if missing:
        return missing
    old_status = server.world.status(issue.status)
    new_status = server.world.status(transition.to)
    items = []
    wanted = (fields.get("resolution") or {}).get("name")
    if new_status.category == "done" and wanted != issue.resolution:
        resolution = next((r for r in RESOLUTIONS if r["name"] == wanted), RESOLUTIONS[0])
        items.append(
            events.change(
                "resolution", issue.resolution, resolution["name"], None, resolution["id"]
            )
        )
        issue.resolution, issue.resolved = resolution["name"], now()
    elif new_status.category != "done" and issue.resolution:
        items.append(events.change("resolution", issue.resolution, None))
        issue.resolution, issue.resolved = None, None
    items.append(
        events.change("status", old_status.name, new_status.name, old_status.id, new_status.id)
    )
    issue.status, issue.updated = new_status.name, now()
    events.issue_updated(server, issue, items)
    return None


def move_to_project(server: JiraServer, issue: Issue, project: Project) -> None:
    """Jira's "Move": the issue takes the next key of ``project`` and keeps its id; the old key
    still finds it; fix versions of the old project do not follow. One ``issue_moved`` update
    names the old and new key and project in its changelog, as Jira Cloud's does."""
    world = server.world
    old_key, old_project = issue.key, world.projects[issue.project]
    new_key = f"{project.key}-{next(project.counter)}"
    del world.issues[old_key]
    world.issues[new_key] = issue
    world.moved_keys[old_key] = new_key
    for earlier, later in list(world.moved_keys.items()):
        if later == old_key:
            world.moved_keys[earlier] = new_key
    issue.key, issue.project, issue.fix_versions = new_key, project.key, []
    issue.updated = now()
    items = [
        events.change("project", old_project.name, project.name, old_project.id, project.id),
        events.change("Key", old_key, new_key),
    ]
    events.issue_updated(server, issue, items, kind="issue_moved")


def release(server: JiraServer, version: Version, date: str | None = None) -> None:
    version.released = True
    version.release_date = date or now()[:10]
    events.version_released(server, version)


def register(app: Flask, server: JiraServer) -> None:
    @app.get(f"{API}/issue/<id_or_key>/transitions")
    def transitions(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        with_fields = "transitions.fields" in request.args.get("expand", "")
        return jsonify(
            {
                "expand": "transitions",
                "transitions": [
                    transition_json(server, t, _api(v), with_fields)
                    for t in server.world.transitions_from(issue)
                ],
            }
        )

    @app.post(f"{API}/issue/<id_or_key>/transitions")
    def do_transition(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        data = request.get_json(silent=True) or {}
        wanted = str((data.get("transition") or {}).get("id", ""))
        transition = next((t for t in server.world.transitions_from(issue) if t.id == wanted), None)
        if transition is None:
            return server.errors([f"Transition id '{wanted}' is not valid for this issue."], {})
        fields = data.get("fields") or {}
        problem = move(server, issue, transition, fields)
        if problem:
            return server.errors([], problem)
        rest = {
            "update": data.get("update") or {},
            "fields": {k: x for k, x in fields.items() if k != "resolution"},
        }
        if rest["update"] or rest["fields"]:
            apply_update(server, issue, rest)
        return "", 204

    @app.get(f"{API}/project/<key>/versions")
    def versions(v: str, key: str) -> Any:
        project = next((p for p in server.world.projects.values() if key in (p.key, p.id)), None)
        if project is None:
            return server.not_found(f"No project could be found with key '{key}'.")
        return jsonify([server.render.version(x, _api(v)) for x in project.versions.values()])

    @app.post(f"{API}/version")
    def create_version(v: str) -> Any:
        data = request.get_json(silent=True) or {}
        ref = data.get("project") or str(data.get("projectId", ""))
        project = next((p for p in server.world.projects.values() if ref in (p.key, p.id)), None)
        if project is None:
            return server.errors([], {"project": "Project must be specified to create a version."})
        if any(x.name == data.get("name") for x in project.versions.values()):
            return server.errors(
                [], {"name": "A version with this name already exists in this project."}
            )
        version = Version(next_id(), data["name"], project.key, data.get("description", ""))
        project.versions[version.id] = version
        if data.get("released"):
            release(server, version, data.get("releaseDate"))
        return jsonify(server.render.version(version, _api(v))), 201

    @app.get(f"{API}/version/<version_id>")
    def get_version(v: str, version_id: str) -> Any:
        version = server.world.version(version_id)
        if version is None:
            return server.not_found(f"Could not find version for id '{version_id}'")
        return jsonify(server.render.version(version, _api(v)))

    @app.put(f"{API}/version/<version_id>")
    def update_version(v: str, version_id: str) -> Any:
        version = server.world.version(version_id)
        if version is None:
            return server.not_found(f"Could not find version for id '{version_id}'")
        data = request.get_json(silent=True) or {}
        version.name = data.get("name", version.name)
        version.description = data.get("description", version.description)
        version.archived = data.get("archived", version.archived)
        if data.get("released") and not version.released:
            release(server, version, data.get("releaseDate"))
        return jsonify(server.render.version(version, _api(v)))
