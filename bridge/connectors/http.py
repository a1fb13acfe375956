"""A small JSON-over-HTTP client for the helpdesks, with the bridge's retry, rate budget and
error translation; requests does the HTTP."""

from __future__ import annotations

from typing import Any

import requests

from bridge.connectors import retry
from bridge.connectors.errors import from_status, uncertain_if_sent, unreachable
from bridge.connectors.ratelimit import RateGate
from bridge.services.ports import ConnectorError

TIMEOUT_SECONDS = 15


class HttpApi:
    def __init__(self, system: str, base_url: str, auth: tuple[str, str], gate: RateGate) -> None:
        self.system = system
        self.base_url = base_url.rstrip("/")
        self._gate = gate
        self._session = requests.Session()
        self._session.auth = auth
        self._session.headers["Accept"] = "application/json"

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, creates: bool = False
    ) -> Any:
        def attempt() -> Any:
            self._gate.take(f"{self.system}:requests")
            try:
                answer = self._session.request(
                    method, f"{self.base_url}{path}", json=body, timeout=TIMEOUT_SECONDS
                )
            except requests.RequestException as exc:
                error: ConnectorError = unreachable(self.system, exc)
                raise (uncertain_if_sent(error) if creates else error) from exc
            if answer.status_code >= 400:
                error = from_status(self.system, answer.status_code, _words(answer), answer.headers)
                raise uncertain_if_sent(error) if creates else error
            return answer.json() if answer.content else None

        return retry.call(attempt)


def _words(answer: requests.Response) -> str:
    """The vendor's own error text, short enough for a dead-letter line."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200] or answer.reason
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("error", "description", "message") if body.get(k)]
        details = body.get("details") or body.get("errors")
        if details:
            parts.append(str(details)[:200])
        return "; ".join(parts) or str(body)[:200]
    return str(body)[:200]
