"""A local GitLab: REST API v4 for a project's issues, notes, issue links, merge requests,
releases and hooks, with GitLab's webhooks; published in ``support_bridge.sandboxes``."""

from __future__ import annotations

from typing import Any

from sandbox.core.plugins import SandboxedVendor
from sandbox.gitlab.app import DEFAULT_PROJECT, GitlabServer


def sandbox() -> SandboxedVendor:
    """The server with project ``acme/widgets``, and what python-gitlab needs to reach it."""
    server = GitlabServer()
    project = server.world.add_project(DEFAULT_PROJECT)

    def credentials() -> dict[str, Any]:
        return {
            "token": server.world.token,
            "project": project.path_with_namespace,
            "project_id": project.id,
            "bot_username": server.world.bot.username,
        }

    return SandboxedVendor(server, credentials)


__all__ = ["GitlabServer", "sandbox"]
