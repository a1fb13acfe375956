"""Logs are JSON event keys; secrets and customer text never reach them."""

from __future__ import annotations

import io
import json
import logging
import time

import structlog

from bridge.log_writer import DEFAULT_INTERVAL
from bridge.logs import configure_logging, flush_logs


def test_logs_are_json_and_sensitive_keys_are_redacted() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    structlog.contextvars.bind_contextvars(request_id="r-1")
    structlog.get_logger("test").info(
        "webhook.rejected", source="github", body="customer wrote this", api_token="t0k"
    )
    logging.getLogger("alembic.other").warning("library line")
    structlog.contextvars.clear_contextvars()
    flush_logs()
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "webhook.rejected"
    assert first["source"] == "github"
    assert first["request_id"] == "r-1"
    assert first["body"] == "[redacted]"
    assert first["api_token"] == "[redacted]"
    assert "customer wrote this" not in stream.getvalue()
    assert second["event"] == "library line"
    assert second["level"] == "warning"


def wait_for_lines(stream: io.StringIO, count: int, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while len(lines := stream.getvalue().splitlines()) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    return lines


def test_lines_reach_the_stream_without_a_flush_and_errors_at_once() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    log = structlog.get_logger("test")
    log.info("first.info")
    logging.getLogger("waitress").info("library info")
    lines = wait_for_lines(stream, 2, seconds=20 * DEFAULT_INTERVAL)
    assert [json.loads(line)["event"] for line in lines] == ["first.info", "library info"]
    log.info("queued.info")
    log.error("the.error")  # written before the call returns, after what was queued before it
    events = [json.loads(line)["event"] for line in stream.getvalue().splitlines()]
    assert events[2:] == ["queued.info", "the.error"]
    logging.getLogger("huey").error("library error")
    assert json.loads(stream.getvalue().splitlines()[-1])["event"] == "library error"


def test_reconfiguring_writes_what_the_old_stream_still_held() -> None:
    old, new = io.StringIO(), io.StringIO()
    configure_logging("info", "json", stream=old)
    structlog.get_logger("test").info("to.the.old.stream")
    configure_logging("info", "json", stream=new)
    assert json.loads(old.getvalue())["event"] == "to.the.old.stream"
    structlog.get_logger("test").info("to.the.new.stream")
    flush_logs()
    assert json.loads(new.getvalue())["event"] == "to.the.new.stream"
