"""GitLab (gitlab.com or self-managed) through python-gitlab."""

from bridge.connectors.gitlab.connector import GitLabConnector

__all__ = ["GitLabConnector"]
