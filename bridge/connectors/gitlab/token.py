"""The project access token's expiry, read from GitLab (``GET /personal_access_tokens/self``,
which answers for project and group access tokens too) once per process before the token is
first used and at most daily after, and kept through the credential watch for ``doctor``,
``/metrics`` and the board. GitLab gives every token a date (16.0 and later require one, a
year at most) and refuses the token from that day on, 00:00 UTC."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
import structlog
from gitlab import GitlabAuthenticationError, GitlabError

from bridge.connectors.credentials import CredentialWatch
from bridge.domain.credentials import CredentialStatus
from bridge.services.ports import TransientConnectorError

log = structlog.get_logger(__name__)

SYSTEM = "gitlab"
KIND = "project_access_token"
SELF_PATH = "/personal_access_tokens/self"
SETTING = "connectors.gitlab.token"
READ_EVERY_SECONDS = 24 * 3600.0
# GitLab unreachable or failing: asked again this soon, the token itself not judged.
RETRY_SECONDS = 600.0
STATUS = CredentialStatus(
    SYSTEM,
    KIND,
    "GitLab project access token",
    renewable=False,
    fix=f"create a new project access token (scope api), then set {SETTING}",
)


def expiry_of(answer: Mapping[str, Any]) -> dt.datetime | str | None:
    """GitLab's answer judged: the moment the token stops working (``None``: no date), or why
    it no longer works."""
    if answer.get("revoked"):
        return f"GitLab says {SETTING} is revoked"
    expires = _moment(answer.get("expires_at"))
    if answer.get("active") is False:
        ended = f" (expired on {expires:%Y-%m-%d})" if expires else ""
        return f"GitLab says {SETTING} is no longer active{ended}"
    return expires


def _moment(value: object) -> dt.datetime | None:
    """``2027-03-01`` (the documented form: the token stops at 00:00 UTC that day) or a time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == len("2027-03-01"):
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        log.warning("gitlab.token_expiry_unreadable", expires_at=value[:40])
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _refusal(error: GitlabAuthenticationError) -> str:
    """GitLab's reason (``Token has expired.``, ``Token has been revoked.``), never the token."""
    said = str(error.error_message or "")
    try:
        body = error.response_body
        found = json.loads(body) if body else {}
    except ValueError:
        found = {}
    if isinstance(found, dict) and found.get("error_description"):
        said = str(found["error_description"])
    return f"GitLab refused {SETTING} (HTTP {error.response_code}: {said or 'Unauthorized'})"


class TokenExpiry:
    """When the token was last read, shared by the connector's threads."""

    def __init__(self, watch: CredentialWatch, clock: Callable[[], float] = time.monotonic) -> None:
        self._watch = watch
        self._clock = clock
        self._due = 0.0  # monotonic time of the next read; at once in a new process
        self._kept = False  # this process recorded the token once: its expiry stays known
        self._lock = threading.Lock()

    def read_if_due(self, ask: Callable[[], Any]) -> None:
        """``ask``: the raw ``GET /personal_access_tokens/self``. Never raises: the request that
        follows meets GitLab's refusal itself."""
        if self._clock() < self._due:
            return
        with self._lock:  # the other threads wait for the first read, then find it done
            if self._clock() >= self._due:
                self._due = self._clock() + self._read(ask)

    def _read(self, ask: Callable[[], Any]) -> float:
        """Seconds until the next read."""
        try:
            answer = ask()
        except GitlabAuthenticationError as exc:
            self._failed(_refusal(exc))
            return READ_EVERY_SECONDS
        except GitlabError as exc:
            if exc.response_code in (403, 404):  # before GitLab 15.5, or a token without scope
                log.warning("gitlab.token_expiry_unknown", status=exc.response_code)
                self._watch.unknown(SYSTEM)
                return READ_EVERY_SECONDS
            log.warning("gitlab.token_expiry_unread", status=exc.response_code)
            return RETRY_SECONDS
        except (requests.RequestException, TransientConnectorError) as exc:
            # unreachable, or our rate budget full: the request that follows waits its turn
            log.warning("gitlab.token_expiry_unread", error=type(exc).__name__)
            return RETRY_SECONDS
        judged = expiry_of(answer if isinstance(answer, Mapping) else {})
        if isinstance(judged, str):
            self._failed(judged)
        else:
            self._watch.use(dataclasses.replace(STATUS, expires_at=judged))
            self._kept = True
            self._watch.renewed(SYSTEM, KIND, judged)
            log.info("gitlab.token_expiry", expires_at=judged.isoformat() if judged else None)
        return READ_EVERY_SECONDS

    def _failed(self, reason: str) -> None:
        if not self._kept:  # its label and fix kept, should no process have read it yet
            self._watch.use(STATUS)
            self._kept = True
        self._watch.failed(SYSTEM, KIND, reason)
