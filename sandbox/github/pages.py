"""``/{owner}/{repo}/issues/{number}``: the issue page an issue's ``html_url`` names (the
sandbox serves its web pages on its API's host), for the links on the board and in Slack.
A plain HTML page: the sandbox imitates GitHub's addresses, not its web UI."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from flask import Flask, Response
from markupsafe import escape

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer

PAGE = re.compile(r"^/[^/]+/[^/]+/(issues|pull)/\d+$")


def is_page(path: str) -> bool:
    return bool(PAGE.match(path)) and not path.startswith("/repos/")


def register(app: Flask, server: GithubServer) -> None:
    @app.get("/<owner>/<name>/issues/<int:number>")
    @app.get("/<owner>/<name>/pull/<int:number>")
    def issue_page(owner: str, name: str, number: int) -> Any:
        repo = server.world.repo(owner, name)
        issue = repo.issues.get(number) if repo is not None else None
        if issue is None:
            return Response("<h1>Not Found</h1>", 404, mimetype="text/html")
        page = (
            f"<!doctype html><title>{escape(issue.title)}</title>"
            f"<h1>{escape(issue.title)} #{number}</h1>"
            f"<p>{escape(issue.state)}</p><pre>{escape(issue.body or '')}</pre>"
        )
        return Response(page, mimetype="text/html")
