"""``/browse/KEY``: the issue page people open from the board, the demo and Slack, as Jira's
web UI serves it (signed in by the browser, not the API's credentials). A plain HTML page:
the sandbox has no web UI to imitate, only the address."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response
from markupsafe import escape

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

BROWSE = "/browse/"


def register(app: Flask, server: JiraServer) -> None:
    @app.get(f"{BROWSE}<key>")
    def browse(key: str) -> Any:
        issue = server.world.issue(key)
        if issue is None:
            return Response(f"<h1>{escape(key)} does not exist</h1>", 404, mimetype="text/html")
        summary = issue.fields.get("summary", "")
        description = issue.fields.get("description", "")
        if isinstance(description, dict):  # an ADF document
            description = ""
        page = (
            f"<!doctype html><title>{escape(issue.key)}</title>"
            f"<h1>{escape(issue.key)}: {escape(summary)}</h1>"
            f"<p>Status: {escape(issue.status)}</p><pre>{escape(description)}</pre>"
        )
        return Response(page, mimetype="text/html")
