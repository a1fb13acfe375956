"""Slack through slack-sdk's WebClient (the client bolt uses)."""

from bridge.connectors.slack.connector import SlackConnector

__all__ = ["SlackConnector"]
