"""``GET /personal_access_tokens/self``: the token the request carries, as GitLab describes it
(for a project access token too), its ``expires_at`` a date. ``POST /_sandbox/token`` sets that
date or revokes the token, as a maintainer would in Settings → Access tokens."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, jsonify, request

if TYPE_CHECKING:
    from sandbox.gitlab.app import GitlabServer

TOKEN_ID = 7_000_001
TOKEN_NAME = "Support Bridge"


def register(app: Flask, server: GitlabServer) -> None:
    @app.get("/api/v4/personal_access_tokens/self")
    def token_self() -> Any:
        world = server.world
        return jsonify(
            {
                "id": TOKEN_ID,
                "name": TOKEN_NAME,
                "revoked": world.token_revoked,
                "created_at": world.token_created_at,
                "description": "",
                "scopes": ["api"],
                "user_id": world.bot.id,
                "last_used_at": world.token_created_at,
                "active": world.token_refusal() is None,
                "expires_at": world.token_expires_at.isoformat(),
            }
        )


def register_control(bp: Blueprint, server: GitlabServer) -> None:
    @bp.post("/token")
    def set_token() -> Any:
        """``{"expires_at": "2027-01-31"}`` and/or ``{"revoked": true}``."""
        given = request.get_json(silent=True) or {}
        if "expires_at" in given:
            server.world.token_expires_at = date.fromisoformat(str(given["expires_at"]))
        if "revoked" in given:
            server.world.token_revoked = bool(given["revoked"])
        expires = server.world.token_expires_at.isoformat()
        return jsonify({"expires_at": expires, "revoked": server.world.token_revoked})
