"""Create metadata as each Jira flavour serves it today: per project and issue type.

The global ``/issue/createmeta`` is deprecated on Jira Cloud (the server refuses it in
``check_request`` as an operation a client should no longer use) and gone from Data Center 9
(404 here). The project-scoped pages differ in their list's name: Cloud's ``issueTypes`` and
``fields``, Data Center's ``values`` with ``isLast``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.jira.state import ISSUE_TYPES

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

API = '/rest/api/<any("2","3","latest"):v>'
GLOBAL_CREATEMETA = "/issue/createmeta"
DEPRECATED = (
    "GET /issue/createmeta is deprecated on Jira Cloud (and removed from Data Center 9); "
    "use /issue/createmeta/{projectIdOrKey}/issuetypes[/{issueTypeId}]"
)


def register(app: Flask, server: JiraServer) -> None:
    cloud = server.deployment == "cloud"

    def page(items: list[dict[str, Any]], cloud_key: str) -> Any:
        start = int(request.args.get("startAt", 0))
        size = int(request.args.get("maxResults", 50))
        shown = items[start : start + size]
        paging = {"maxResults": size, "startAt": start, "total": len(items)}
        if cloud:
            return jsonify({cloud_key: shown, **paging})
        return jsonify({**paging, "isLast": start + size >= len(items), "values": shown})

    def project_or_none(key: str) -> Any:
        return next((p for p in server.world.projects.values() if key in (p.key, p.id)), None)

    @app.get(f"{API}/issue/createmeta")
    def global_createmeta(v: str) -> Any:
        return server.not_found("null for uri: " + request.url)  # Data Center 9; Cloud refused it

    @app.get(f"{API}/issue/createmeta/<key>/issuetypes")
    def createmeta_issue_types(v: str, key: str) -> Any:
        if project_or_none(key) is None:
            return server.not_found(f"No project could be found with key '{key}'.")
        rest = server.render.rest("3" if v == "3" else "2")
        types = [
            t | {"self": f"{rest}/issuetype/{t['id']}", "description": ""} for t in ISSUE_TYPES
        ]
        return page(types, "issueTypes")

    @app.get(f"{API}/issue/createmeta/<key>/issuetypes/<type_id>")
    def createmeta_fields(v: str, key: str, type_id: str) -> Any:
        if project_or_none(key) is None:
            return server.not_found(f"No project could be found with key '{key}'.")
        if not any(t["id"] == type_id for t in ISSUE_TYPES):
            return server.not_found(f"The issue type with id '{type_id}' does not exist.")
        world = server.world
        names = {"summary": "Summary", "description": "Description", "labels": "Labels"}
        names |= world.custom_fields
        values = [
            {
                "fieldId": fid,
                "key": fid,
                "name": name,
                "required": fid == "summary" or fid in world.required_fields,
                "hasDefaultValue": False,
                "operations": ["set"],
                "schema": {"type": "array" if fid == "labels" else "string"},
            }
            for fid, name in names.items()
        ]
        return page(values, "fields")
