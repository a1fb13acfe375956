"""The bridge's web application: ``create_app()`` builds it, one blueprint per area."""

from __future__ import annotations

import random
import time
from typing import Any

import orjson
import structlog
from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from bridge.config import Settings, load_settings
from bridge.observability.metrics import Metrics
from bridge.runtime import Runtime, bootstrap
from bridge.services.json_body import parse_json
from webhooks import (
    api_steps,  # noqa: F401 - registers the step routes on `api`
    receivers,
    slack,
)
from webhooks.acceptance import acceptance
from webhooks.api import api
from webhooks.board import board
from webhooks.context import install, runtime_of
from webhooks.insights import insights
from webhooks.ops import ops
from webhooks.payload import RecordIdConverter

log = structlog.get_logger("webhooks.http")
REQUEST_ID_HEADER = "X-Request-Id"
MAX_BODY_BYTES = 1024 * 1024
COUNTED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        # The bridge's one parser: a body nested past its depth limit is a ValueError, never the
        # standard parser's RecursionError (a 500).
        return parse_json(s)


def create_app(
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    test_config: dict[str, Any] | None = None,
) -> Flask:
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    # Without a limit the API and the board's forms would read whatever waitress let through
    # (up to 1 GiB): past this, reading the body is a JSON 413. The webhook receivers set their
    # own limits per request (webhooks.ladder.read_body).
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if test_config:
        app.config.update(test_config)
    if runtime is None:
        runtime = bootstrap(settings or load_settings())
    metrics = Metrics()
    metrics.watch(runtime)
    install(app, runtime, metrics)

    app.url_map.converters["id"] = RecordIdConverter
    app.register_blueprint(ops)
    app.register_blueprint(api)
    app.register_blueprint(acceptance)
    app.register_blueprint(board)
    app.register_blueprint(insights)
    receivers.init_app(app)
    slack.init_app(app)
    _instrument(app, metrics)
    return app


def _instrument(app: Flask, metrics: Metrics) -> None:
    # Every webhook passes through these hooks, so they look each label set up once
    # (prometheus_client validates and locks on every ``labels()`` call) and take the request
    # object once rather than through its proxy at each use. A method outside HTTP's usual
    # ones is counted as "other", so a client inventing methods cannot grow the label sets.
    counters: dict[tuple[str, str, int], Any] = {}
    timers: dict[str, Any] = {}

    requests_in_flight = runtime_of(app).requests

    @app.before_request
    def _start() -> None:
        requests_in_flight.started()
        g.counted = True
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        # Not uuid4: a request id needs to be unique, not unguessable, and os.urandom is a
        # system call on every request.
        g.request_id = supplied if 0 < len(supplied) <= 64 else f"{random.getrandbits(128):032x}"
        g.started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _finish(response: Any) -> Any:
        current = request._get_current_object()  # type: ignore[attr-defined]
        endpoint = current.url_rule.rule if current.url_rule else "unmatched"
        state = g._get_current_object()  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - getattr(state, "started", time.perf_counter())
        status = response.status_code
        method = current.method if current.method in COUNTED_METHODS else "other"
        counter = counters.get((endpoint, method, status))
        if counter is None:
            counter = counters[endpoint, method, status] = metrics.requests.labels(
                endpoint, method, str(status)
            )
        counter.inc()
        timer = timers.get(endpoint)
        if timer is None:
            timer = timers[endpoint] = metrics.latency.labels(endpoint)
        timer.observe(elapsed)
        response.headers[REQUEST_ID_HEADER] = getattr(state, "request_id", "")
        if endpoint not in ("/healthz", "/metrics"):
            log.info(
                "http.request",
                method=method,
                endpoint=endpoint,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
        return response

    @app.teardown_request
    def _done(_exc: BaseException | None) -> None:
        if g.pop("counted", False):
            requests_in_flight.finished()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[dict[str, Any], int, list[tuple[str, str]]]:
        # The headers Werkzeug puts beside its HTML page say something too (Allow on a 405,
        # WWW-Authenticate on a 401, Retry-After on a 429/503): only the Content-Type goes.
        headers = [(name, value) for name, value in exc.get_headers() if name != "Content-Type"]
        body = {"error": exc.name.lower().replace(" ", "_"), "detail": exc.description}
        return body, exc.code or 500, headers

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[dict[str, Any], int]:
        log.error("http.unhandled", error=type(exc).__name__, exc_info=exc)
        request_id = g.get("request_id")
        detail = f"the bridge failed to answer; quote request id {request_id} when reporting it"
        return {"error": "internal_error", "detail": detail, "request_id": request_id}, 500
