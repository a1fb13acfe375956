"""Structured JSON logs (structlog) for the bridge and every library it runs.

Log event keys, not prose. Secrets and customer text never reach a log: known sensitive keys are
replaced before rendering, whatever the caller passed.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

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


def configure_logging(level: str = "info", fmt: str = "json", stream: Any = None) -> None:
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
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
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
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter that says nothing an operator needs at info level.
    for noisy in ("huey.consumer", "huey.consumer.Scheduler", "waitress.queue", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
