"""What a request is served with: the runtime ``create_app()`` was given and its metrics, typed,
kept on the Flask app. Every blueprint reads them from here, never from ``webhooks.app``, so the
modules below the app factory do not import it back."""

from __future__ import annotations

from flask import Flask, current_app

from bridge.observability.metrics import Metrics
from bridge.runtime import Runtime

RUNTIME = "bridge.runtime"
METRICS = "bridge.observability.metrics"


def install(app: Flask, runtime: Runtime, metrics: Metrics) -> None:
    app.extensions[RUNTIME] = runtime
    app.extensions[METRICS] = metrics


def runtime_of(app: Flask) -> Runtime:
    runtime: Runtime = app.extensions[RUNTIME]
    return runtime


def metrics_of(app: Flask) -> Metrics:
    metrics: Metrics = app.extensions[METRICS]
    return metrics


def current_runtime() -> Runtime:
    """The runtime of the app serving this request."""
    return runtime_of(current_app)


def current_metrics() -> Metrics:
    return metrics_of(current_app)
