"""JIRAError and requests failures, translated into the port's errors with Jira's own words."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import requests
from jira.exceptions import JIRAError

from bridge.connectors.errors import from_status, unreachable
from bridge.services.ports import ConnectorError

SYSTEM = "jira"
T = TypeVar("T")


def _words(error: JIRAError) -> str:
    """Jira's errorMessages and per-field errors, e.g. ``customfield_10050: is required``."""
    raw = error.response.text if error.response is not None else error.text
    try:
        body = json.loads(raw or "")
    except ValueError:
        return (error.text or "no details").strip()[:300]
    if not isinstance(body, dict):
        return str(body)[:300]
    parts = [str(m) for m in body.get("errorMessages") or []]
    parts += [f"{field}: {text}" for field, text in (body.get("errors") or {}).items()]
    return "; ".join(parts) or "no details"


def translate(error: Exception) -> ConnectorError:
    if isinstance(error, JIRAError):
        headers = error.response.headers if error.response is not None else None
        return from_status(SYSTEM, error.status_code, _words(error), headers)
    if isinstance(error, requests.RequestException):
        return unreachable(SYSTEM, error)
    raise error


def absent_as_none(fn: Callable[[], T]) -> Callable[[], T | None]:
    """A read that Jira answers 404 when there is nothing to read."""

    def read() -> T | None:
        try:
            return fn()
        except JIRAError as exc:
            if exc.status_code == 404:
                return None
            raise

    return read
