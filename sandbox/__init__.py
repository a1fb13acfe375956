"""Local servers that speak Jira's, GitHub's, Slack's and the helpdesks' real HTTP APIs."""

from sandbox.runner import Sandbox, serve_forever

__all__ = ["Sandbox", "serve_forever"]
