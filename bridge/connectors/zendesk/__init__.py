"""Zendesk Support's REST API through requests."""

from bridge.connectors.zendesk.connector import ZendeskConnector

__all__ = ["ZendeskConnector"]
