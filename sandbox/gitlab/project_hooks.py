"""``/projects/:id/hooks``: the project's webhooks, listed from the targets the sandbox sends
to (``Sandbox.register_webhook``), and added as GitLab adds one (push events unless told)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.core.webhooks import WebhookTarget
from sandbox.gitlab import rules
from sandbox.gitlab.hooks import EVENT_SETTINGS
from sandbox.gitlab.routes import paged, project_view
from sandbox.gitlab.state import Project

if TYPE_CHECKING:
    from sandbox.gitlab.app import GitlabServer


def _hook(project: Project, number: int, target: WebhookTarget) -> dict[str, Any]:
    """A registered target as ``GET /projects/:id/hooks`` lists it."""
    every = EVENT_SETTINGS | {"push_events": "Push Hook"}
    wanted = {name for name, event in every.items() if target.wants(event)}
    return {
        "id": number,
        "url": target.url,
        "project_id": project.id,
        "enable_ssl_verification": True,
        "created_at": project.created_at,
    } | {name: name in wanted for name in rules.HOOK_EVENTS}


def register(app: Flask, server: GitlabServer) -> None:
    """The project's hooks: listed from the targets the sandbox sends to, and added."""
    P = "/api/v4/projects/<path:project_ref>"
    with_project = project_view(server)

    @app.get(f"{P}/hooks")
    @with_project
    def list_hooks(project: Project) -> Any:
        targets = server.webhooks.targets
        return paged([_hook(project, n, t) for n, t in enumerate(targets, start=1)])

    @app.post(f"{P}/hooks")
    @with_project
    def add_hook(project: Project) -> Any:
        given = rules.params_of(request)
        # GitLab's hook sends push events unless told otherwise, and nothing else.
        events = tuple(e for name, e in EVENT_SETTINGS.items() if given.get(name))
        events = events or (("Push Hook",) if given.get("push_events", True) else ())
        target = server.webhooks.register(str(given["url"]), str(given.get("token") or ""), events)
        number = len(server.webhooks.targets)
        return jsonify(_hook(project, number, target)), 201
