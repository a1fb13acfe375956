"""Logs are JSON event keys; secrets and customer text never reach them."""

from __future__ import annotations

import io
import json
import logging

import structlog

from bridge.observability.logs import configure_logging


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
    assert first["logger"] == "test"
    assert first["body"] == "[redacted]"
    assert first["api_token"] == "[redacted]"
    assert "customer wrote this" not in stream.getvalue()
    assert second["event"] == "library line"
    assert second["level"] == "warning"


def test_the_level_filters_our_events_and_the_libraries_alike() -> None:
    stream = io.StringIO()
    configure_logging("warning", "json", stream=stream)
    log = structlog.get_logger("test")
    log.info("hidden.info")
    logging.getLogger("waitress").info("hidden library info")
    log.error("the.error")
    logging.getLogger("huey").error("library error")
    events = [json.loads(line)["event"] for line in stream.getvalue().splitlines()]
    assert events == ["the.error", "library error"]


def test_reconfiguring_sends_later_lines_to_the_new_stream_only() -> None:
    old, new = io.StringIO(), io.StringIO()
    configure_logging("info", "json", stream=old)
    structlog.get_logger("test").info("to.the.old.stream")
    configure_logging("info", "json", stream=new)
    structlog.get_logger("test").info("to.the.new.stream")
    assert [json.loads(line)["event"] for line in old.getvalue().splitlines()] == [
        "to.the.old.stream"
    ]
    assert json.loads(new.getvalue())["event"] == "to.the.new.stream"
