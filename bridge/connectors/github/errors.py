"""GithubException and requests failures, translated into the port's errors."""

from __future__ import annotations

import time
from collections.abc import Mapping

import requests
from github import GithubException

from bridge.connectors.errors import from_status, unreachable
from bridge.services.ports import ConnectorError, TransientConnectorError

SYSTEM = "github"
_SECONDARY_LIMIT = "secondary rate limit"
SECONDARY_LIMIT_WAIT = 60.0  # GitHub: without Retry-After, wait at least one minute
MAX_RESET_WAIT = 3600.0  # a primary window is one hour; a later reset is a clock gone wrong


def _words(error: GithubException) -> str:
    data = error.data if isinstance(error.data, dict) else {}
    message = str(data.get("message") or error.message or "no details")
    problems = [
        f"{e.get('field')}: {e.get('code')}"
        for e in data.get("errors") or []
        if isinstance(e, dict)
    ]
    return "; ".join([message.splitlines()[0], *problems])[:300]


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    return next((v for k, v in (headers or {}).items() if k.lower() == name), None)


def limit_wait(status: int | None, words: str, headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait when a 403/429 is one of GitHub's rate limits, None when it is not.

    Primary (hourly) limit: ``x-ratelimit-remaining: 0``, wait until ``x-ratelimit-reset``
    (epoch seconds). Secondary limits: ``Retry-After``, else at least a minute."""
    if status not in (403, 429):
        return None
    retry_after = _header(headers, "retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return float(retry_after)
    reset = _header(headers, "x-ratelimit-reset")
    if _header(headers, "x-ratelimit-remaining") == "0" and reset and reset.strip().isdigit():
        return min(max(float(reset) - time.time(), 0.0) + 1.0, MAX_RESET_WAIT)
    if status == 429 or _SECONDARY_LIMIT in words.lower():
        return SECONDARY_LIMIT_WAIT
    return None


def translate(error: Exception) -> ConnectorError:
    if isinstance(error, GithubException):
        words = _words(error)
        wait = limit_wait(error.status, words, error.headers)
        if wait is not None:
            msg = f"github is rate limiting us (HTTP {error.status}): {words}"
            return TransientConnectorError(SYSTEM, msg, wait, rate_limited=True)
        return from_status(SYSTEM, error.status, words, error.headers)
    if isinstance(error, requests.RequestException):
        return unreachable(SYSTEM, error)
    raise error
