"""Structured JSON logs (structlog) for the bridge and every library it runs.

Log event keys, not prose. Secrets and customer text never reach a log: known sensitive keys are
replaced before rendering, whatever the caller passed. The bridge's events and the libraries'
records (waitress, huey, alembic, SQLAlchemy) go through the standard library's logging to one
handler, rendered by the same processors (structlog's documented ``ProcessorFormatter`` set-up).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

SENSITIVE_KEYS = frozenset(
    {
        "authorization",
        "body",
        "comment",
        "description",
        "password",
        "payload",
        "secret",
        "signature",
        "text",
        "token",
    }
)


def redact_sensitive(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in event:
        lowered = key.lower()
        if lowered in SENSITIVE_KEYS or lowered.endswith(("_secret", "_token", "_password")):
            event[key] = "[redacted]"
    return event


def configure_logging(level: str = "info", fmt: str = "json", stream: TextIO | None = None) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_sensitive,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for old in root.handlers:
        old.flush()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter that says nothing an operator needs at info level.
    for noisy in ("huey.consumer", "huey.consumer.Scheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # Waitress warns of its queue depth on every request it queues: once saturated, a warning
    # per webhook, written while the server is shortest of time. The latency histogram in
    # /metrics shows the same saturation without feeding it.
    logging.getLogger("waitress.queue").setLevel(max(logging.ERROR, root.level))
