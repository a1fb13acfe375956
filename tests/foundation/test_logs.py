"""Logs are JSON event keys; secrets and customer text never reach them."""

from __future__ import annotations

import io
import json
import logging

import structlog

from bridge.logs import configure_logging


def test_logs_are_json_and_sensitive_keys_are_redacted() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    structlog.contextvars.bind_contextvars(request_id="r-1")
    structlog.get_logger("test").info(
        "webhook.rejected", source="github", body="customer wrote this", api_token="t0k"
    )
    logging.getLogger("alembic.other").warning("library line")
    structlog.contextvars.clear_contextvars()
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "webhook.rejected"
    assert first["source"] == "github"
    assert first["request_id"] == "r-1"
    assert first["body"] == "[redacted]"
    assert first["api_token"] == "[redacted]"
    assert "customer wrote this" not in stream.getvalue()
    assert second["event"] == "library line"
    assert second["level"] == "warning"
