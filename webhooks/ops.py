"""Health, readiness and metrics: what an orchestrator and Prometheus ask for."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bridge.observability.health import readiness

ops = Blueprint("ops", __name__)


@ops.get("/healthz")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@ops.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    from webhooks.app import runtime_of

    checks = readiness(runtime_of(current_app))
    failing = {check.name: check.detail for check in checks if not check.ok}
    body: dict[str, Any] = {
        "status": "ready" if not failing else "not_ready",
        "checks": {check.name: "ok" if check.ok else check.detail for check in checks},
    }
    return body, 200 if not failing else 503


@ops.get("/metrics")
def metrics() -> Response:
    from webhooks.app import metrics_of

    payload = generate_latest(metrics_of(current_app).registry)
    return Response(payload, mimetype=CONTENT_TYPE_LATEST)
