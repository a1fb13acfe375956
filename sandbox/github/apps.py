"""A GitHub App as GitHub runs one: a JWT signed with the App's private key buys an
installation access token that expires; an installation acts as ``<slug>[bot]`` and is refused
the endpoints that need a user."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Request, jsonify, request

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer

TOKEN_LIFETIME = 3600  # GitHub's installation tokens last one hour
MAX_JWT_LIFETIME = 600  # GitHub refuses a JWT whose exp is more than ten minutes after iat
NOT_ACCESSIBLE = "Resource not accessible by integration"


def _new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class GithubApp:
    """The registration an admin creates in GitHub's settings, installed on one account."""

    id: int = 424242
    slug: str = "support-bridge"
    installation_id: int = 5150
    token_lifetime: int = TOKEN_LIFETIME
    exchanges: int = 0
    _key: rsa.RSAPrivateKey = field(default_factory=_new_private_key, repr=False)
    _tokens: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"

    @property
    def private_key_pem(self) -> str:
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()

    def jwt_valid(self, token: str) -> bool:
        """RS256 with the App's public key, ``iss`` the App id, at most ten minutes long."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"]},
                leeway=60,
            )
        except jwt.PyJWTError:
            return False
        short_enough = int(claims["exp"]) - int(claims["iat"]) <= MAX_JWT_LIFETIME + 60
        return str(claims["iss"]) == str(self.id) and short_enough

    def issue_token(self) -> tuple[str, float]:
        token = "ghs_" + secrets.token_urlsafe(27)
        expires = time.time() + self.token_lifetime
        with self._lock:
            self._tokens[token] = expires
            self.exchanges += 1
        return token, expires

    def token_live(self, token: str) -> bool:
        with self._lock:
            return self._tokens.get(token, 0.0) > time.time()

    def expire_tokens(self) -> None:
        """What an hour does to every installation token handed out so far."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bearer(req: Request) -> str:
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() in {"token", "bearer"} else ""


def register(app: Flask, server: GithubServer) -> None:
    registered = server.app_registration

    @app.get("/app")
    def get_app() -> Any:
        return jsonify(
            {
                "id": registered.id,
                "slug": registered.slug,
                "node_id": "A_kwDOsandbox",
                "client_id": "Iv23sandbox",
                "owner": server.render.user("acme"),
                "name": "Support Bridge",
                "description": "Escalations from the helpdesk",
                "external_url": "https://support-bridge.example",
                "html_url": f"https://github.com/apps/{registered.slug}",
                "created_at": "2026-01-05T09:00:00Z",
                "updated_at": "2026-01-05T09:00:00Z",
                "permissions": {"issues": "write", "metadata": "read"},
                "events": ["issues", "issue_comment", "pull_request", "release"],
            }
        )

    @app.post("/app/installations/<int:installation_id>/access_tokens")
    def access_token(installation_id: int) -> Any:
        if installation_id != registered.installation_id:
            return server.not_found()
        token, expires = registered.issue_token()
        response = jsonify(
            {
                "token": token,
                "expires_at": _iso(expires),
                "permissions": {"issues": "write", "metadata": "read"},
                "repository_selection": "all",
            }
        )
        response.status_code = 201
        return response

    @app.get("/user")
    def authenticated_user() -> Any:
        if registered.token_live(bearer(request)):
            return server.error(403, NOT_ACCESSIBLE)
        return jsonify(server.render.user(server.actor))
