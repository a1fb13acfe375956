"""TinyDesk's REST API through requests, each call in a slot of the shared rate budget and every
failure translated into the bridge's connector errors (``bridge.services.ports``), so nothing
of requests leaves this package."""

from __future__ import annotations

from typing import Any

import requests

from bridge.connectors.registry import Context
from bridge.services.ports import (
    ConnectorAuthError,
    ConnectorError,
    PermanentConnectorError,
    TransientConnectorError,
    UncertainOutcome,
)

SYSTEM = "tinydesk"
BUDGET = "tinydesk:requests"
TIMEOUT_SECONDS = 15


class TinyDeskApi:
    def __init__(self, url: str, token: str, context: Context) -> None:
        self.base_url = url.rstrip("/") + "/api/v1"
        self._gate = context.gate
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Token {token}", "Accept": "application/json"}
        )

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, creates: bool = False
    ) -> Any:
        """One request; ``creates``: it adds something, so a failure after it was sent may have
        been applied (``UncertainOutcome``: the outbox looks before it tries again)."""
        with self._gate.slot(BUDGET):
            try:
                answer = self._session.request(
                    method, self.base_url + path, json=body, timeout=TIMEOUT_SECONDS
                )
            except requests.ConnectionError as exc:
                raise TransientConnectorError(SYSTEM, f"cannot reach TinyDesk: {exc}") from None
            except requests.Timeout:
                error = UncertainOutcome if creates else TransientConnectorError
                raise error(SYSTEM, f"no answer within {TIMEOUT_SECONDS} s") from None
        if answer.status_code >= 400:
            raise refused(answer, creates)
        return answer.json() if answer.content else None


def refused(answer: requests.Response, creates: bool) -> ConnectorError:
    """TinyDesk's refusal in the bridge's words: only a 429 or a 5xx is worth trying again."""
    status = answer.status_code
    try:
        said = answer.json().get("message") or answer.reason
    except (ValueError, AttributeError):
        said = answer.reason
    words = f"HTTP {status}: {said}"
    if status == 429:
        wait = answer.headers.get("Retry-After", "")
        return TransientConnectorError(
            SYSTEM, words, float(wait) if wait.isdigit() else None, rate_limited=True
        )
    if status >= 500:
        return (UncertainOutcome if creates else TransientConnectorError)(SYSTEM, words)
    if status in (401, 403):
        return ConnectorAuthError(SYSTEM, f"{words} (check connectors.tinydesk.api_token)")
    return PermanentConnectorError(SYSTEM, words)
