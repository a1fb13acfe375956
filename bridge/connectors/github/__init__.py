"""GitHub and GitHub Enterprise through PyGithub."""

from bridge.connectors.github.connector import GitHubConnector

__all__ = ["GitHubConnector"]
