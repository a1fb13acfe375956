"""Email over SMTP (smtplib) with Jinja2 templates."""

from bridge.connectors.email.connector import EmailConnector

__all__ = ["EmailConnector"]
