"""A small JSON-over-HTTP client for the helpdesks, with the bridge's retry, rate budget and
error translation; requests does the HTTP."""

from __future__ import annotations

from typing import Any, Protocol

import requests

from bridge.connectors import retry
from bridge.connectors.errors import from_status, uncertain_if_sent, unreachable
from bridge.connectors.ratelimit import RateGate
from bridge.services.ports import ConnectorError

TIMEOUT_SECONDS = 15


class BearerTokens(Protocol):
    """Access tokens that expire. ``current()`` is an ``Authorization`` header good for now
    (asking the vendor for a new token when needed); ``refused(header)`` forgets the one the
    vendor answered 401, so the next ``current()`` asks again."""

    def current(self) -> str: ...
    def refused(self, header: str) -> None: ...


class HttpApi:
    def __init__(
        self, system: str, base_url: str, auth: tuple[str, str] | BearerTokens, gate: RateGate
    ) -> None:
        self.system = system
        self.base_url = base_url.rstrip("/")
        self._gate = gate
        self._session = requests.Session()
        self._tokens: BearerTokens | None = None
        if isinstance(auth, tuple):
            self._session.auth = auth
        else:
            self._tokens = auth
        self._session.headers["Accept"] = "application/json"

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, creates: bool = False
    ) -> Any:
        def attempt() -> Any:
            with self._gate.slot(f"{self.system}:requests"):
                answer = self._send(method, path, body, creates)
                if answer.status_code == 401 and self._tokens is not None:
                    # A token can die before its announced expiry (revoked, clocks apart): one
                    # fresh token, one more try; a 401 refused the request: safe to repeat.
                    self._tokens.refused(answer.request.headers.get("Authorization", ""))
                    answer = self._send(method, path, body, creates)
            if answer.status_code >= 400:
                error = from_status(self.system, answer.status_code, words(answer), answer.headers)
                raise uncertain_if_sent(error) if creates else error
            return answer.json() if answer.content else None

        return retry.call(attempt)

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None, creates: bool
    ) -> requests.Response:
        headers = {"Authorization": self._tokens.current()} if self._tokens else None
        try:
            return self._session.request(
                method,
                f"{self.base_url}{path}",
                json=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            error: ConnectorError = unreachable(self.system, exc)
            raise (uncertain_if_sent(error) if creates else error) from exc


def words(answer: requests.Response) -> str:
    """The vendor's own error text, short enough for a dead-letter line."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200] or answer.reason
    if isinstance(body, dict):
        keys = ("error", "description", "error_description", "message")
        parts = [str(body.get(k)) for k in keys if body.get(k)]
        details = body.get("details") or body.get("errors")
        if details:
            parts.append(str(details)[:200])
        return "; ".join(parts) or str(body)[:200]
    return str(body)[:200]
