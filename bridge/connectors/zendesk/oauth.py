"""Zendesk OAuth access tokens from the client-credentials grant, kept until shortly before
they expire.

Each process asks ``POST /oauth/tokens`` for its own token with the client's id and secret and
never uses the refresh token that comes with it: a refresh rotates both tokens, invalidating the
pair every other worker holds, while the client-credentials grant can be asked again at any time.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from dataclasses import dataclass

import requests
import structlog
from pydantic import SecretStr

from bridge.connectors.credentials import CredentialWatch
from bridge.connectors.errors import from_status, unreachable
from bridge.connectors.http import TIMEOUT_SECONDS, words
from bridge.services.ports import ConnectorAuthError, ConnectorError, PermanentConnectorError

log = structlog.get_logger(__name__)

SYSTEM = "zendesk"
KIND = "oauth"
TOKEN_PATH = "/oauth/tokens"  # noqa: S105 - a path, not a secret
# Renew this long before the announced expiry (at most half a token's life), so a request
# never leaves with a token that dies on its way.
RENEW_EARLY_SECONDS = 60.0
CLIENT_SETTINGS = "connectors.zendesk.oauth_client_id and oauth_client_secret"
WHERE = "Admin Center > Apps and integrations > APIs > OAuth clients"


@dataclass(frozen=True)
class _Token:
    header: str
    renew_at: float  # time.monotonic()


class ZendeskTokens:
    """The ``BearerTokens`` of ``HttpApi`` for Zendesk: one cached token, shared by threads."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: SecretStr,
        scope: str,
        watch: CredentialWatch | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + TOKEN_PATH
        self._client_id, self._client_secret, self._scope = client_id, client_secret, scope
        self._clock = time.monotonic
        self._watch = watch or CredentialWatch()
        self._reason: str | None = None  # Zendesk's words for its last refusal, for the watch
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self._session = requests.Session()
        self._session.headers["Accept"] = "application/json"
        self.expires_in: float | None = None  # of the last token issued, for ``doctor``

    def current(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._token.renew_at:
                self._token = self._ask()
            return self._token.header

    def refused(self, header: str) -> None:
        with self._lock:
            if self._token is not None and self._token.header == header:
                self._token = None  # another thread may have renewed it already

    def _ask(self) -> _Token:
        try:
            token = self._grant()
        except ConnectorError as exc:
            self._watch.failed(SYSTEM, KIND, self._reason or str(exc))
            raise
        expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.expires_in or 0)
        self._watch.renewed(SYSTEM, KIND, expires_at if self.expires_in else None)
        return token

    def _grant(self) -> _Token:
        asked_at = self._clock()
        self._reason = None
        body = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
            "scope": self._scope,
        }
        try:
            answer = self._session.post(self._url, json=body, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise unreachable(SYSTEM, exc) from exc
        if answer.status_code in (400, 401, 403):
            raise ConnectorAuthError(SYSTEM, self._refusal(answer))
        if answer.status_code >= 400:
            raise from_status(SYSTEM, answer.status_code, words(answer), answer.headers)
        try:
            granted = answer.json()
            header = f"Bearer {granted['access_token']}"
            lifetime = granted.get("expires_in")
            # Tokens of clients made before expiry existed carry no ``expires_in``: kept until
            # Zendesk answers 401.
            self.expires_in = float(lifetime) if lifetime is not None else None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            msg = f"no access_token in Zendesk's answer to {TOKEN_PATH} (HTTP {answer.status_code})"
            raise PermanentConnectorError(SYSTEM, msg) from exc
        early = min(RENEW_EARLY_SECONDS, self.expires_in / 2) if self.expires_in else 0.0
        renew_at = asked_at + self.expires_in - early if self.expires_in else math.inf
        log.info("zendesk.oauth_token", client=self._client_id, expires_in=self.expires_in)
        return _Token(header, renew_at)

    def _refusal(self, answer: requests.Response) -> str:
        """Zendesk's OAuth error, with the setting to fix; never the secret."""
        try:
            found = answer.json()
        except ValueError:
            found = None
        found = found if isinstance(found, dict) else {}
        error = str(found.get("error") or f"HTTP {answer.status_code}")
        said = f"{error}: {found['error_description']}" if found.get("error_description") else error
        self._reason = said
        if error == "invalid_scope":
            return (
                f"Zendesk refused the scope {self._scope!r} ({said}); "
                "check connectors.zendesk.scope and the client's allowed scopes"
            )
        return (
            f"Zendesk refused the OAuth client {self._client_id!r} ({said}); check "
            f"{CLIENT_SETTINGS} against the confidential client in {WHERE}"
        )
