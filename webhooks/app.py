"""The bridge's web application: ``create_app()`` builds it, one blueprint per area."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
import structlog
from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from bridge.config import Settings, load_settings
from bridge.metrics import Metrics
from bridge.runtime import Runtime, bootstrap

log = structlog.get_logger("webhooks.http")
REQUEST_ID_HEADER = "X-Request-Id"


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON answers, rendered by orjson: every webhook is answered with a JSON body.
    Whatever orjson does not know natively (and dates, which Flask renders as HTTP dates) goes
    through Flask's own ``default``, so the output is the one Flask would give."""

    OPTIONS = (
        orjson.OPT_SORT_KEYS
        | orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent"):  # debug mode's pretty output: leave it to the standard library
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=self.OPTIONS).decode()


def create_app(
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    test_config: dict[str, Any] | None = None,
) -> Flask:
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    if test_config:
        app.config.update(test_config)
    if runtime is None:
        runtime = bootstrap(settings or load_settings())
    metrics = Metrics()
    metrics.watch(runtime)
    app.extensions["bridge.runtime"] = runtime
    app.extensions["bridge.metrics"] = metrics

    from webhooks import (
        api_steps,  # noqa: F401 - registers the step routes on `api`
        receivers,
        slack,
    )
    from webhooks.acceptance import acceptance
    from webhooks.api import api
    from webhooks.ops import ops

    app.register_blueprint(ops)
    app.register_blueprint(api)
    app.register_blueprint(acceptance)
    receivers.init_app(app)
    slack.init_app(app)
    _instrument(app, metrics)
    return app


def runtime_of(app: Flask) -> Runtime:
    runtime: Runtime = app.extensions["bridge.runtime"]
    return runtime


def metrics_of(app: Flask) -> Metrics:
    metrics: Metrics = app.extensions["bridge.metrics"]
    return metrics


def _instrument(app: Flask, metrics: Metrics) -> None:
    @app.before_request
    def _start() -> None:
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = supplied if 0 < len(supplied) <= 64 else uuid.uuid4().hex
        g.started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _finish(response: Any) -> Any:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        metrics.requests.labels(endpoint, request.method, str(response.status_code)).inc()
        metrics.latency.labels(endpoint).observe(elapsed)
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        if endpoint not in ("/healthz", "/metrics"):
            log.info(
                "http.request",
                method=request.method,
                endpoint=endpoint,
                status=response.status_code,
                duration_ms=round(elapsed * 1000, 2),
            )
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[dict[str, Any], int]:
        return {"error": exc.name.lower().replace(" ", "_"), "detail": exc.description}, (
            exc.code or 500
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[dict[str, Any], int]:
        log.error("http.unhandled", error=type(exc).__name__, exc_info=exc)
        return {"error": "internal_error", "request_id": g.get("request_id")}, 500
