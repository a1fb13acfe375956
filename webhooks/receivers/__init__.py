"""``POST /webhooks/<source>``: the webhook of every installed connector that declares one
(its ``receiver``), climbing the shared guard ladder; and the generic intake, our own format.

A new connector's webhook is served here without an edit: the route looks its receiver up.
"""

from __future__ import annotations

import structlog
from flask import Blueprint, Flask

from webhooks.context import current_metrics, current_runtime
from webhooks.ladder import Answer, receive
from webhooks.receivers.intake import blueprint as intake

log = structlog.get_logger("webhooks.receive")
# A source no installed connector receives is counted under this one label: a caller picks
# the path, and every new label would be a new series kept for the life of the process.
UNKNOWN = "unknown"

connectors = Blueprint("connector_webhooks", __name__)


@connectors.post("/webhooks/<source>")
def connector_webhook(source: str) -> Answer:
    receiver = current_runtime().receiver(source)
    if receiver is None:
        return unknown_source(source)
    return receive(receiver)


def unknown_source(source: str) -> Answer:
    """The 404 of a source whose webhooks are off, counted under one label."""
    current_metrics().webhook_rejections.labels(UNKNOWN, "not_configured").inc()
    log.warning("webhook.rejected", source=UNKNOWN, reason="not_configured", status=404)
    detail = f"no installed connector receives webhooks at /webhooks/{source[:60]}"
    return {"error": "not_configured", "detail": detail}, 404


def init_app(app: Flask) -> None:
    app.register_blueprint(intake)
    app.register_blueprint(connectors)
