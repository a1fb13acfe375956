"""Health, readiness and metrics: what an orchestrator and Prometheus ask for; and ``/``, the
page a person opening the bridge's address finds, linking them all and the board."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bridge import __version__
from bridge.observability.health import readiness
from webhooks import board_access
from webhooks.context import current_metrics, current_runtime
from webhooks.page_headers import protect

ops = Blueprint("ops", __name__)


@ops.get("/")
def home() -> Response:
    login_ready = board_access.has_secret_key() and board_access.api_token() is not None
    page = render_template("home.html", version=__version__, login_ready=login_ready)
    return protect(Response(page, mimetype="text/html"))


@ops.get("/healthz")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@ops.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    checks = readiness(current_runtime())
    failing = {check.name: check.detail for check in checks if not check.ok}
    body: dict[str, Any] = {
        "status": "ready" if not failing else "not_ready",
        "checks": {check.name: "ok" if check.ok else check.detail for check in checks},
    }
    return body, 200 if not failing else 503


@ops.get("/metrics")
def metrics() -> Response:

    payload = generate_latest(current_metrics().registry)
    return Response(payload, mimetype=CONTENT_TYPE_LATEST)
