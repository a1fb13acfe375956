"""Jira's JQL search: the Cloud `search/jql` token pages and the older offset-paged `search`.

Jira Cloud's index is eventually consistent: with ``world.search_lag_seconds`` set, an issue
created less than that long ago is missing from ``search/jql`` unless ``reconcileIssues``
names its id, as Atlassian documents. Data Center's index is current for its own writes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request

from sandbox.jira.jql import JqlError, compile_jql

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

API = '/rest/api/<any("2","3","latest"):v>'


def _api(v: str) -> str:
    return "3" if v == "3" else "2"


def register(app: Flask, server: JiraServer) -> None:
    def body() -> Any:
        return request.get_json(silent=True) or {}

    def indexed(reconciled: set[str]) -> Any:
        settled = time.monotonic() - server.world.search_lag_seconds
        return lambda issue: issue.born <= settled or issue.id in reconciled

    def reconciled(args: Any) -> set[str]:
        raw = args.get("reconcileIssues", []) if request.method == "POST" else None
        if raw is None:
            raw = [i for item in args.getlist("reconcileIssues") for i in str(item).split(",")]
        return {str(i) for i in raw if str(i)}

    def found(v: str, args: Any, visible: Any = None) -> list[dict[str, Any]] | Response:
        try:
            matches = compile_jql(server.world, str(args.get("jql", "")))
        except JqlError as error:
            return server.errors([str(error)], {})
        raw = args.get("fields", []) if request.method == "POST" else args.getlist("fields")
        only = [f for item in raw for f in str(item).split(",") if f]
        expand = args.get("expand") or ""
        expand = ",".join(expand) if isinstance(expand, list) else str(expand)
        return [
            server.render.issue(i, _api(v), only or ["*navigable"], expand)
            for i in server.world.issues.values()
            if matches(i) and (visible is None or visible(i))
        ]

    @app.route(f"{API}/search/jql", methods=["GET", "POST"])
    def search(v: str) -> Any:
        args = body() if request.method == "POST" else request.args
        issues = found(v, args, indexed(reconciled(args)))
        if isinstance(issues, Response):
            return issues
        return jsonify({"issues": issues[: int(args.get("maxResults", 50))], "isLast": True})

    @app.route(f"{API}/search", methods=["GET", "POST"])
    def legacy_search(v: str) -> Any:
        """The offset-paged search Jira Data Center still uses (deprecated on Cloud)."""
        args = body() if request.method == "POST" else request.args
        issues = found(v, args)
        if isinstance(issues, Response):
            return issues
        start, size = int(args.get("startAt", 0)), int(args.get("maxResults", 50))
        return jsonify(
            {
                "startAt": start,
                "maxResults": size,
                "total": len(issues),
                "issues": issues[start : start + size],
            }
        )
