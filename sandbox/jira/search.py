"""Jira's JQL search: the Cloud `search/jql` token pages and the older offset-paged `search`."""

from __future__ import annotations

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

    def found(v: str, args: Any) -> list[dict[str, Any]] | Response:
        try:
            matches = compile_jql(server.world, str(args.get("jql", "")))
        except JqlError as error:
            return server.errors([str(error)], {})
        raw = args.get("fields", []) if request.method == "POST" else args.getlist("fields")
        only = [f for item in raw for f in str(item).split(",") if f]
        return [
            server.render.issue(i, _api(v), only or ["*navigable"])
            for i in server.world.issues.values()
            if matches(i)
        ]

    @app.route(f"{API}/search/jql", methods=["GET", "POST"])
    def search(v: str) -> Any:
        args = body() if request.method == "POST" else request.args
        issues = found(v, args)
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
