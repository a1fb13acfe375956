"""The Slack Web API server: token auth, `{"ok": false}` errors, per-channel posting limits."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Request, Response, jsonify, request

# Imported for the methods they register: conversations.info, .list and .join; .history and
# .replies.
import sandbox.slack.conversations
import sandbox.slack.history  # noqa: F401
from sandbox.core.contract import SwaggerMethodContract
from sandbox.core.faults import LimitHit
from sandbox.core.signing import slack_headers
from sandbox.core.vendor import VendorServer
from sandbox.openapi.operations import Operation
from sandbox.slack import control, methods
from sandbox.slack.socket_mode import SocketMode
from sandbox.slack.state import seeded

POSTING = {"chat.postMessage", "chat.postEphemeral"}
# Socket Mode's one method takes the app-level token, and no other method does.
APP_TOKEN_METHODS = {"apps.connections.open"}


def slack_args(req: Request) -> dict[str, Any]:
    """Arguments as Slack reads them: query string, form fields or a JSON body."""
    args: dict[str, Any] = dict(req.args.items())
    args.update(req.form.items())
    if req.is_json:
        body = req.get_json(silent=True)
        if isinstance(body, dict):
            args.update(body)
    return args


def _method(req: Request) -> str:
    return req.path.removeprefix("/api/")


class SlackServer(VendorServer):
    name = "slack"
    # Slack: "Generally, you shouldn't post more than one message per second per channel."
    limit_defaults = {"post_per_channel": "1/second"}

    def __init__(
        self,
        token: str = "xoxb-sandbox-bot-token",  # noqa: S107 - demo token
        app_token: str = "xapp-1-A0SANDBOX1-sandbox-app-token",  # noqa: S107 - demo token
    ) -> None:
        self.world = seeded(token)
        self.socket_mode = SocketMode(self, app_token)
        self.contract = SwaggerMethodContract("slack")
        # Requests Slack sends to an app (events, slash commands) carry the v0 signature.
        super().__init__(slack_headers)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        code = {401: "invalid_auth", 429: "ratelimited"}.get(status, "fatal_error")
        response = jsonify({"ok": False, "error": code})
        # Slack answers most errors with HTTP 200; rate limits and outages keep their status.
        response.status_code = 200 if status < 429 else status
        response.headers.update(headers or {})
        return response

    def failed(self, code: str, **extra: Any) -> Response:
        return jsonify({"ok": False, "error": code, **extra})

    def rate_limit_headers(self, retry_after: int) -> dict[str, str]:
        return {"Retry-After": str(retry_after)}

    def authorized(self, req: Request) -> bool:
        if not req.path.startswith("/api/") or req.path == "/api/api.test":
            return True  # response_url posts carry no token; api.test needs none
        scheme, _, token = req.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            token = str(slack_args(req).get("token", ""))
        if _method(req) in APP_TOKEN_METHODS:
            return token == self.socket_mode.app_token
        return token == self.world.token

    def limit_hit(self, req: Request) -> LimitHit | None:
        if _method(req) in POSTING:
            return self.limits.hit("post_per_channel", str(slack_args(req).get("channel")))
        return None

    def sandbox_only(self, req: Request) -> str | None:
        # A response_url is Slack's (hooks.slack.com), documented in its interactivity guide
        # and not in the Web API description (docs/connectors.md, exceptions).
        return None if req.path.startswith("/api/") else "response_url"

    def operation(self, req: Request) -> Operation | None:
        return self.contract.operation(req)

    def path_template(self, req: Request) -> str | None:
        return self.contract.path_template(req)

    def check_request(self, req: Request) -> list[str]:
        if self.sandbox_only(req):
            return []
        return self.contract.check_request(req, slack_args(req))

    def reject(self, problems: list[str]) -> Response:
        if any("not an operation" in p for p in problems):
            code = "unknown_method"
        elif any("deprecated" in p for p in problems):
            code = "method_deprecated"
        elif any(p.startswith("missing") for p in problems):
            code = "missing_argument"
        else:
            code = "invalid_arguments"
        return self.failed(code, response_metadata={"messages": problems})

    def check_response(self, req: Request, response: Response) -> list[str]:
        payload = response.get_json(silent=True)
        if not isinstance(payload, dict) or not req.path.startswith("/api/"):
            return []
        return self.contract.check_response(req, payload)

    def register_routes(self, app: Flask) -> None:
        @app.route("/api/<method>", methods=["GET", "POST"])
        def call(method: str) -> Any:
            handler = methods.HANDLERS.get(method)
            if handler is None:
                return self.failed("unknown_method")
            return handler(self, slack_args(request))

        @app.post("/_response/<token>")
        def response_url(token: str) -> Any:
            body = request.get_json(silent=True)
            if body is None:
                body = json.loads(request.form.get("payload", "{}"))
            self.world.response_posts.append({"token": token, "body": body})
            return "ok"

    def register_control(self, bp: Blueprint) -> None:
        control.register(bp, self)

    def new_response_url(self) -> str:
        return f"{self.base_url}/_response/{self.world.next_id('R')}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "messages": [m.__dict__ for m in self.world.messages],
            "views": self.world.views,
            "response_posts": self.world.response_posts,
            "channels": [c.__dict__ for c in self.world.channels.values()],
        }
