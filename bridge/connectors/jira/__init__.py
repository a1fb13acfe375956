"""Jira Cloud and Data Center through the ``jira`` library."""

from bridge.connectors.jira.connector import JiraConnector

__all__ = ["JiraConnector"]
