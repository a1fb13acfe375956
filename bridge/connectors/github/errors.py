"""GithubException and requests failures, translated into the port's errors."""

from __future__ import annotations

import requests
from github import GithubException

from bridge.connectors.errors import from_status, unreachable
from bridge.services.ports import ConnectorError

SYSTEM = "github"
_SECONDARY_LIMIT = "secondary rate limit"


def _words(error: GithubException) -> str:
    data = error.data if isinstance(error.data, dict) else {}
    message = str(data.get("message") or error.message or "no details")
    problems = [
        f"{e.get('field')}: {e.get('code')}"
        for e in data.get("errors") or []
        if isinstance(e, dict)
    ]
    return "; ".join([message.splitlines()[0], *problems])[:300]


def translate(error: Exception) -> ConnectorError:
    if isinstance(error, GithubException):
        status = error.status
        words = _words(error)
        if status == 403 and _SECONDARY_LIMIT in words.lower():
            status = 429  # GitHub says "forbidden" for its secondary rate limit
        return from_status(SYSTEM, status, words, error.headers)
    if isinstance(error, requests.RequestException):
        return unreachable(SYSTEM, error)
    raise error
