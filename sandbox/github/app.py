"""The GitHub server: authentication, rate-limit headers, error shapes and the contract."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Flask, Request, Response, g, jsonify

from sandbox.core.contract import OpenApiContract
from sandbox.core.faults import Fault, LimitHit
from sandbox.core.signing import github_headers
from sandbox.core.vendor import VendorServer
from sandbox.github import apps, control, pages, routes
from sandbox.github.payloads import Renderer
from sandbox.github.state import GithubWorld
from sandbox.github.webhook_schemas import check_webhook
from sandbox.openapi.operations import Operation

DOCS = "https://docs.github.com/rest"
PRIMARY_LIMIT = "API rate limit exceeded for installation. Check out the documentation."
SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
CONTENT_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
HOURLY_LIMIT = 5000


class GithubServer(VendorServer):
    name = "github"
    # GitHub's documented secondary limit on content-creating requests.
    limit_defaults = {"content": "80/minute"}

    def __init__(
        self,
        token: str = "ghp_sandbox_token",  # noqa: S107 - the sandbox's published demo token
        login: str = "support-bridge-bot",
    ) -> None:
        self.world = GithubWorld(token=token, login=login)
        self.app_registration = apps.GithubApp()
        self.contract = OpenApiContract("github")
        self._used = 0
        self._window_reset = int(time.time()) + 3600
        super().__init__(github_headers)

    @property
    def render(self) -> Renderer:
        return Renderer(self.base_url)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        response = jsonify({"message": message, "documentation_url": DOCS})
        response.status_code = status
        response.headers.update(headers or {})
        return response

    def validation_failed(self, resource: str, field: str, code: str = "invalid") -> Response:
        response = jsonify(
            {
                "message": "Validation Failed",
                "errors": [{"resource": resource, "field": field, "code": code}],
                "documentation_url": DOCS,
            }
        )
        response.status_code = 422
        return response

    def not_found(self) -> Response:
        return self.error(404, "Not Found")

    def rate_limit_headers(self, retry_after: int) -> dict[str, str]:
        return {"Retry-After": str(retry_after), **self._limit_headers(remaining=0)}

    def _limit_headers(self, remaining: int | None = None) -> dict[str, str]:
        left = max(HOURLY_LIMIT - self._used, 0) if remaining is None else remaining
        return {
            "x-ratelimit-limit": str(HOURLY_LIMIT),
            "x-ratelimit-remaining": str(left),
            "x-ratelimit-reset": str(self._window_reset),
            "x-ratelimit-used": str(self._used),
            "x-ratelimit-resource": "core",
        }

    @property
    def actor(self) -> str:
        """Who the current request acts as: the token's user or the App's bot account."""
        return str(g.get("github_actor") or self.world.login)

    def authorized(self, req: Request) -> bool:
        """``/app…`` takes only the App's JWT; everything else a personal token or a live
        installation token."""
        if req.method == "GET" and pages.is_page(req.path):
            return True  # a web page: a browser's session, not the API's token
        token = apps.bearer(req)
        if req.path == "/app" or req.path.startswith("/app/"):
            return self.app_registration.jwt_valid(token)
        if token and token == self.world.token:
            g.github_actor = self.world.login
            return True
        if self.app_registration.token_live(token):
            g.github_actor = self.app_registration.bot_login
            return True
        return False

    def primary_limit_response(self, fault: Fault) -> Response:
        """GitHub's hourly limit spent: 403 (or 429), ``x-ratelimit-remaining: 0`` and the
        epoch second the window resets, and no Retry-After."""
        headers = {
            **self._limit_headers(remaining=0),
            "x-ratelimit-reset": str(int(time.time()) + (fault.reset or 0)),
        }
        return self.error(fault.status or 403, PRIMARY_LIMIT, headers)

    def limit_hit(self, req: Request) -> LimitHit | None:
        if req.method in CONTENT_METHODS:
            return self.limits.hit("content")
        return None

    def limit_message(self, hit: LimitHit) -> str:
        return SECONDARY_LIMIT

    def sandbox_only(self, req: Request) -> str | None:
        return "web page" if pages.is_page(req.path) else None

    def operation(self, req: Request) -> Operation | None:
        return self.contract.operation(req)

    def path_template(self, req: Request) -> str | None:
        return self.contract.path_template(req)

    def check_request(self, req: Request) -> list[str]:
        if pages.is_page(req.path):
            return []  # a web page, not the REST API the contract describes
        return self.contract.check_request(req)

    def reject(self, problems: list[str]) -> Response:
        response = jsonify(
            {"message": "Invalid request.\n\n" + "\n".join(problems), "documentation_url": DOCS}
        )
        response.status_code = 422
        return response

    def check_response(self, req: Request, response: Response) -> list[str]:
        if pages.is_page(req.path):
            return []
        return self.contract.check_response(req, response)

    def check_webhook(self, event: str, payload: dict[str, Any]) -> list[str]:
        return check_webhook(event, payload)

    def decorate(self, response: Response) -> None:
        self._used += 1
        for key, value in self._limit_headers().items():
            response.headers.setdefault(key, value)

    def register_routes(self, app: Flask) -> None:
        routes.register(app, self)
        apps.register(app, self)
        pages.register(app, self)

    def register_control(self, bp: Blueprint) -> None:
        control.register(bp, self)

    def snapshot(self) -> dict[str, Any]:
        return {
            name: {
                "issues": [self.render.issue(repo, i) for i in repo.issues.values()],
                "pulls": [self.render.pull(repo, p) for p in repo.pulls.values()],
                "releases": [self.render.release(repo, r) for r in repo.releases.values()],
                "comments": [self.render.comment(repo, c) for c in repo.comments.values()],
            }
            for name, repo in self.world.repos.items()
        }
