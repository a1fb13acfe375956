"""TinyDesk, a small helpdesk, as a Support Bridge connector (see README.md)."""

from tinydesk_bridge.connector import TinyDeskConnector

__all__ = ["TinyDeskConnector"]
