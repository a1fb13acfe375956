"""Zendesk's OAuth, as a confidential client meets it: ``POST /oauth/tokens`` with the
client-credentials (or refresh-token) grant, access tokens that expire, refresh tokens that rotate,
and scopes that limit what a token may do; mixed into ``ZendeskServer``.

Shapes from Zendesk's "Create Token for Grant Type" reference: a JSON body with ``grant_type``,
``client_id``, ``client_secret``, ``scope`` (space-separated) and optionally ``expires_in``
(more than 300 and less than 172,800 seconds); the answer carries ``access_token``,
``token_type`` "bearer", ``scope``, ``expires_in``, ``refresh_token`` and
``refresh_token_expires_in``. An unknown client or wrong secret is a 401 ``invalid_client``; a
refresh invalidates the access and refresh token it replaces. A new client's tokens live 30
minutes; ``token_lifetime`` (``POST /_sandbox/oauth``) shortens it so a test can watch one expire.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Request, Response, g, jsonify, request

TOKEN_PATH = "/oauth/tokens"
DEFAULT_LIFETIME = 1800.0
REFRESH_LIFETIME = 2_592_000
SIMPLE_SCOPES = ("read", "write", "impersonate")
RESOURCES = (
    "tickets",
    "users",
    "auditlogs",
    "organizations",
    "hc",
    "apps",
    "triggers",
    "automations",
    "targets",
    "webhooks",
    "zis",
)
SCOPE_PART = re.compile(
    rf"^(?:{'|'.join(SIMPLE_SCOPES)}|(?:{'|'.join(RESOURCES)}):(?:read|write))$"
)
INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


@dataclass(frozen=True)
class OAuthClient:
    identifier: str
    secret: str
    kind: str = "confidential"


@dataclass
class IssuedToken:
    client: str
    scope: tuple[str, ...]
    expires_at: float  # time.monotonic()
    refresh_token: str
    revoked: bool = field(default=False)

    def valid(self) -> bool:
        return not self.revoked and time.monotonic() < self.expires_at


def _resource(path: str) -> str:
    """``/api/v2/tickets/7/comments.json`` → ``tickets``: the resource a scope names."""
    head = path.removeprefix("/api/v2/").split("/", 1)[0]
    return head.removesuffix(".json")


class OAuthTokens:
    """State and routes of Zendesk's token endpoint; needs ``self.lock`` of ``VendorServer``."""

    def init_oauth(self) -> None:
        default = OAuthClient("support-bridge", "sandbox-zendesk-oauth-secret")
        self.oauth_clients: dict[str, OAuthClient] = {default.identifier: default}
        self.token_lifetime = DEFAULT_LIFETIME
        self.access_tokens: dict[str, IssuedToken] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token → the access token it renews

    # -- what the request pipeline asks ---------------------------------------------------
    def bearer(self, req: Request) -> IssuedToken | None:
        """The live token a request carries, or None (unknown, expired, revoked)."""
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        issued = self.access_tokens.get(header.split(" ", 1)[1].strip())
        return issued if issued is not None and issued.valid() else None

    def scope_refusal(self) -> Response | None:
        """Zendesk's 403 for a token whose scope does not cover the request (``before_request``
        after authentication)."""
        issued = g.get("oauth_token")
        if issued is None:
            return None
        verb = "read" if request.method in ("GET", "HEAD") else "write"
        wanted = (verb, f"{_resource(request.path)}:{verb}")
        if any(part in issued.scope for part in wanted):
            return None
        g.judged = False
        response = jsonify(
            {
                "error": "Forbidden",
                "description": f"You are missing the following required scopes: {verb}",
            }
        )
        response.status_code = 403
        return response

    # -- the token endpoint ----------------------------------------------------------------
    def _oauth_error(self, status: int, error: str, description: str) -> Response:
        response = jsonify({"error": error, "error_description": description})
        response.status_code = status
        return response

    def _grant(self, client: str, scope: tuple[str, ...], lifetime: float) -> dict[str, Any]:
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.access_tokens[access] = IssuedToken(
            client, scope, time.monotonic() + lifetime, refresh
        )
        self.refresh_tokens[refresh] = access
        return {
            "access_token": access,
            "token_type": "bearer",
            "scope": " ".join(scope),
            "expires_in": int(lifetime) if lifetime >= 1 else lifetime,
            "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_LIFETIME,
        }

    def _client(self, data: dict[str, Any]) -> OAuthClient | None:
        client = self.oauth_clients.get(str(data.get("client_id", "")))
        if client is None or not secrets.compare_digest(
            client.secret, str(data.get("client_secret", ""))
        ):
            return None
        return client

    def _lifetime(self, data: dict[str, Any]) -> float | Response:
        asked = data.get("expires_in")
        if asked is None:
            return self.token_lifetime
        if not isinstance(asked, int) or not 300 < asked < 172_800:
            return self._oauth_error(
                400,
                "invalid_request",
                "expires_in must be more than 300 and less than 172800 seconds",
            )
        return float(asked)

    def issue_token(self) -> Response | tuple[Response, int]:
        data = request.get_json(silent=True) or request.form.to_dict()
        grant = data.get("grant_type")
        if grant not in ("client_credentials", "refresh_token"):
            return self._oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
        client = self._client(data)
        if client is None:
            return self._oauth_error(401, "invalid_client", INVALID_CLIENT)
        lifetime = self._lifetime(data)
        if isinstance(lifetime, Response):
            return lifetime
        if grant == "refresh_token":
            return self._refresh(client, str(data.get("refresh_token", "")), lifetime)
        if client.kind != "confidential":
            return self._oauth_error(
                400,
                "unauthorized_client",
                "The client is not authorized to perform this request using this method.",
            )
        scope = tuple(str(data.get("scope") or "read").split())
        if not all(SCOPE_PART.match(part) for part in scope):
            return self._oauth_error(
                400, "invalid_scope", "The requested scope is invalid, unknown, or malformed."
            )
        return jsonify(self._grant(client.identifier, scope, lifetime)), 200

    def _refresh(self, client: OAuthClient, refresh: str, lifetime: float) -> Response:
        access = self.refresh_tokens.pop(refresh, None)
        issued = self.access_tokens.get(access or "")
        if issued is None or issued.client != client.identifier:
            return self._oauth_error(
                400,
                "invalid_grant",
                "The provided authorization grant is invalid, expired, revoked, does not match "
                "the redirection URI used in the authorization request, or was issued to "
                "another client.",
            )
        issued.revoked = True  # a refresh rotates both tokens
        return jsonify(self._grant(client.identifier, issued.scope, lifetime))

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working now, as if its time had run out."""
        with self.lock:  # type: ignore[attr-defined]
            for issued in self.access_tokens.values():
                issued.expires_at = min(issued.expires_at, time.monotonic())

    def register_oauth_routes(self, app: Flask) -> None:
        app.post(TOKEN_PATH)(self.issue_token)
        app.before_request(self.scope_refusal)

    def register_oauth_control(self, bp: Blueprint) -> None:
        @bp.post("/oauth")
        def oauth_settings() -> Any:
            """``{"token_lifetime": seconds}``: new tokens live that long;
            ``{"client_id", "client_secret"}`` adds a confidential client."""
            data = request.get_json(force=True)
            with self.lock:  # type: ignore[attr-defined]
                if "token_lifetime" in data:
                    self.token_lifetime = float(data["token_lifetime"])
                if data.get("client_id"):
                    client = OAuthClient(str(data["client_id"]), str(data["client_secret"]))
                    self.oauth_clients[client.identifier] = client
            return jsonify({"token_lifetime": self.token_lifetime}), 200

        @bp.post("/oauth/expire")
        def expire() -> Any:
            self.expire_tokens()
            return "", 204
