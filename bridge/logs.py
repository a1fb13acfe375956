"""Structured JSON logs (structlog) for the bridge and every library it runs.

Log event keys, not prose. Secrets and customer text never reach a log: known sensitive keys are
replaced before rendering, whatever the caller passed.

The bridge's own events are rendered by structlog and handed straight to a ``LineWriter``:
every request logs a line, and going through the standard library's records and formatter cost
more than the rest of a webhook's acknowledgement. Libraries (waitress, huey, alembic,
SQLAlchemy) log through ``logging``; their records are rendered by the same processors into the
same writer. The writer's thread writes the lines within 50 ms, errors at once
(``bridge/log_writer.py`` says why).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import orjson
import structlog

from bridge.log_writer import LineWriter

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


class NamedLineLogger:
    """structlog's logger for the bridge's own events: rendered lines go to the shared
    ``LineWriter``; errors are written before the call returns. Keeps the name it was asked
    for under (the ``logger`` key)."""

    def __init__(self, writer: LineWriter, name: str) -> None:
        self._writer = writer
        self.name = name

    def msg(self, message: str) -> None:
        self._writer.write(message + "\n")

    def error(self, message: str) -> None:
        self._writer.write_now(message + "\n")

    log = debug = info = warn = warning = msg
    err = critical = fatal = exception = failure = error


class NamedLineLoggerFactory:
    def __init__(self, writer: LineWriter) -> None:
        self._writer = writer

    def __call__(self, *args: Any) -> NamedLineLogger:
        return NamedLineLogger(self._writer, str(args[0]) if args else "root")


class LineHandler(logging.Handler):
    """The libraries' records, rendered by the same processors, into the same writer."""

    def __init__(self, writer: LineWriter) -> None:
        super().__init__()
        self.writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + "\n"
        except Exception:
            self.handleError(record)
            return
        if record.levelno >= logging.ERROR:
            self.writer.write_now(line)
        else:
            self.writer.write(line)


_writer: LineWriter | None = None


def flush_logs() -> None:
    """Write every queued line now (lines are otherwise written within ``DEFAULT_INTERVAL``)."""
    if _writer is not None:
        _writer.flush()


def configure_logging(level: str = "info", fmt: str = "json", stream: TextIO | None = None) -> None:
    global _writer
    if _writer is not None:
        _writer.close()
    writer = _writer = LineWriter(stream or sys.stderr)
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
        logger_factory=NamedLineLoggerFactory(writer),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=False,
    )
    handler = LineHandler(writer)
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
