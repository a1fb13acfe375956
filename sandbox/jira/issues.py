"""Jira REST routes for instance metadata, issues, comments, links, properties and search."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.jira import createmeta, events, links, search
from sandbox.jira.edits import apply_update
from sandbox.jira.state import ISSUE_TYPES, PRIORITIES, RESOLUTIONS

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

API = '/rest/api/<any("2","3","latest"):v>'
STANDARD_FIELDS = (
    "summary",
    "description",
    "issuetype",
    "project",
    "priority",
    "status",
    "resolution",
    "labels",
    "fixVersions",
    "comment",
    "issuelinks",
    "environment",
)


def _api(v: str) -> str:
    return "3" if v == "3" else "2"


def register(app: Flask, server: JiraServer) -> None:
    links.register(app, server)
    search.register(app, server)
    createmeta.register(app, server)

    def body() -> Any:
        return request.get_json(silent=True) or {}

    @app.get(f"{API}/serverInfo")
    def server_info(v: str) -> Any:
        cloud = server.deployment == "cloud"
        version = [1001, 0, 0] if cloud else [9, 12, 15]
        return jsonify(
            {
                "baseUrl": server.base_url,
                "displayUrl": server.base_url,
                "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.15",
                "versionNumbers": version,
                "deploymentType": "Cloud" if cloud else "Server",
                "buildNumber": 100_281 if cloud else 9_120_015,
                "buildDate": "2026-11-01T00:00:00.000+00:00",
                "serverTime": time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime()),
                "scmInfo": "sandbox",
                "serverTitle": "Jira (sandbox)",
            }
        )

    @app.get("/rest/applinks/latest/listApplicationlinks")
    def application_links() -> Any:
        return jsonify([])  # the `jira` library asks before adding a remote link

    @app.get(f"{API}/myself")
    def myself(v: str) -> Any:
        return jsonify(server.render.user(_api(v)) | {"locale": "en_US"})

    @app.get(f"{API}/field")
    def fields(v: str) -> Any:
        standard = [
            {
                "id": f,
                "key": f,
                "name": f[:1].upper() + f[1:],
                "custom": False,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [f],
                "schema": {"type": "string", "system": f},
            }
            for f in STANDARD_FIELDS
        ]
        custom = [
            {
                "id": fid,
                "key": fid,
                "name": name,
                "custom": True,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [f"cf[{fid.split('_')[1]}]", name],
                "schema": {
                    "type": "string",
                    "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
                    "customId": int(fid.split("_")[1]),
                },
            }
            for fid, name in server.world.custom_fields.items()
        ]
        return jsonify(standard + custom)

    @app.get(f"{API}/issuetype")
    def issue_types(v: str) -> Any:
        return jsonify(
            [
                t
                | {"self": f"{server.render.rest(_api(v))}/issuetype/{t['id']}", "description": ""}
                for t in ISSUE_TYPES
            ]
        )

    @app.get(f"{API}/priority")
    def priorities(v: str) -> Any:
        return jsonify(list(PRIORITIES))

    @app.get(f"{API}/resolution")
    def resolutions(v: str) -> Any:
        return jsonify(list(RESOLUTIONS))

    def project_json(key: str, v: str) -> dict[str, Any]:
        project = server.world.projects[key]
        return {
            "self": f"{server.render.rest(_api(v))}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "issueTypes": list(ISSUE_TYPES),
            "versions": [server.render.version(x, _api(v)) for x in project.versions.values()],
        }

    @app.get(f"{API}/project")
    def projects(v: str) -> Any:
        return jsonify([project_json(key, v) for key in server.world.projects])

    @app.get(f"{API}/project/<key>")
    def project(v: str, key: str) -> Any:
        found = next((p for p in server.world.projects.values() if key in (p.key, p.id)), None)
        if found is None:
            return server.not_found(f"No project could be found with key '{key}'.")
        return jsonify(project_json(found.key, v))

    @app.post(f"{API}/issue")
    def create_issue(v: str) -> Any:
        fields = dict(body().get("fields") or {})
        key = (fields.get("project") or {}).get("key") or (fields.get("project") or {}).get("id")
        project = next((p for p in server.world.projects.values() if key in (p.key, p.id)), None)
        problems = {}
        if project is None:
            problems["project"] = "Specify a valid project ID or key"
        if not str(fields.get("summary") or "").strip():
            problems["summary"] = "You must specify a summary of the issue."
        if problems or project is None:
            return server.errors([], problems)
        issue = server.world.create_issue(project, {"summary": fields["summary"]})
        apply_update(server, issue, {"fields": fields}, creating=True)
        events.issue_created(server, issue)
        return jsonify(
            {
                "id": issue.id,
                "key": issue.key,
                "self": f"{server.render.rest(_api(v))}/issue/{issue.id}",
            }
        ), 201

    @app.get(f"{API}/issue/<id_or_key>")
    def get_issue(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        only = [f for f in request.args.get("fields", "").split(",") if f] or None
        return jsonify(server.render.issue(issue, _api(v), only))

    @app.put(f"{API}/issue/<id_or_key>")
    def edit_issue(v: str, id_or_key: str) -> Any:
        issue = server.world.issue(id_or_key)
        if issue is None:
            return server.not_found()
        problem = apply_update(server, issue, body())
        if problem:
            return server.errors([], problem)
        return "", 204
