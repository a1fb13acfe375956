"""Freshdesk's REST API (v2) through requests."""

from bridge.connectors.freshdesk.connector import FreshdeskConnector

__all__ = ["FreshdeskConnector"]
