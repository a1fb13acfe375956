"""The pages a person opens: ``<url>/<group>/<project>/-/issues/<iid>`` (an issue's
``web_url``) answers a small HTML page without a token, so the board's links work."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from sandbox.gitlab.app import GitlabServer

_PAGE = re.compile(r"^/(?!api/|_sandbox/).+/-/(?:issues|merge_requests|releases)/[^/]+$")


def is_page(path: str) -> bool:
    return bool(_PAGE.match(path))


def register(app: Flask, server: GitlabServer) -> None:
    @app.get("/<path:project>/-/issues/<int:iid>")
    def issue_page(project: str, iid: int) -> Any:
        found = server.world.project(project)
        issue = found.issues.get(iid) if found else None
        if found is None or issue is None:
            return "<h1>404</h1>", 404
        title = html.escape(f"{issue.title} (#{iid}) · {found.path_with_namespace}")
        body = html.escape(issue.description or "")
        return f"<!doctype html><title>{title}</title><h1>{title}</h1><pre>{body}</pre>"
