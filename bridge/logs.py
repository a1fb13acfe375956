"""Structured JSON logs (structlog) for the bridge and every library it runs.

Log event keys, not prose. Secrets and customer text never reach a log: known sensitive keys are
replaced before rendering, whatever the caller passed.

The bridge's own events are rendered by structlog and written straight to the stream: every
request logs a line, and going through the standard library's records and formatter cost more
than the rest of a webhook's acknowledgement. Libraries (waitress, huey, alembic, SQLAlchemy)
log through ``logging``; their records are rendered by the same processors into the same stream.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import orjson
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


def _orjson_text(value: Any, **options: Any) -> str:
    return orjson.dumps(
        value, default=options.get("default"), option=orjson.OPT_NON_STR_KEYS
    ).decode()


class NamedWriteLogger(structlog.WriteLogger):
    """structlog's direct writer, keeping the name it was asked for under (the ``logger`` key)."""

    def __init__(self, file: TextIO, name: str) -> None:
        super().__init__(file)
        self.name = name


class NamedWriteLoggerFactory:
    def __init__(self, file: TextIO) -> None:
        self._file = file

    def __call__(self, *args: Any) -> NamedWriteLogger:
        return NamedWriteLogger(self._file, str(args[0]) if args else "root")


def configure_logging(level: str = "info", fmt: str = "json", stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_sensitive,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_orjson_text)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        logger_factory=NamedWriteLoggerFactory(stream),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
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
    for noisy in ("huey.consumer", "huey.consumer.Scheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # Waitress warns of its queue depth on every request it queues: once saturated, a warning
    # per webhook, written while the server is shortest of time. The latency histogram in
    # /metrics shows the same saturation without feeding it.
    logging.getLogger("waitress.queue").setLevel(max(logging.ERROR, root.level))
