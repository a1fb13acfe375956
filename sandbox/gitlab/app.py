"""The GitLab server: REST API v4 with a project access token, GitLab's error shapes and rate
limits, the documented rules of the operations it serves, and its webhooks."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Flask, Request, Response, g, jsonify

from sandbox.core.faults import LimitHit
from sandbox.core.vendor import VendorServer
from sandbox.gitlab import control, pages, project_hooks, routes, rules, tokens
from sandbox.gitlab.hooks import gitlab_headers
from sandbox.gitlab.payloads import Renderer
from sandbox.gitlab.state import GitlabWorld, User

DEFAULT_PROJECT = "acme/widgets"
# A project access token acts as the project's bot user, which GitLab names project_<id>_bot_<hex>.
PROJECT_TOKEN = "glpat-sandbox-project-token"  # the sandbox's published demo token


class GitlabServer(VendorServer):
    name = "gitlab"
    # GitLab.com's documented limits: authenticated API traffic 2,000 requests a minute per
    # user, issue creation 200 a minute, note (comment) creation 60 a minute.
    limit_defaults = {"api": "2000/minute", "issues": "200/minute", "notes": "60/minute"}
    # No published description is held here (docs/gitlab.md): a run's journal and its audit
    # count GitLab's requests apart under this label, with their templates.
    undescribed_label = "documented rules"

    def __init__(self, token: str = PROJECT_TOKEN) -> None:
        self.world = GitlabWorld(
            token=token,
            bot=User(9_000_001, "project_1_bot_5a1db0c3", "Support Bridge", bot=True),
            developer=User(9_000_002, "dana.dev", "Dana Developer"),
        )
        self._used = 0
        super().__init__(gitlab_headers)

    @property
    def render(self) -> Renderer:
        return Renderer(self.base_url)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """GitLab answers ``{"message": "404 Project Not Found"}``, a 401 ``401 Unauthorized``
        (for its own token expired or revoked, OAuth's ``invalid_token`` with the reason)."""
        refusal = g.get("token_refusal") if status == 401 else None
        text = "401 Unauthorized" if status == 401 else message
        said = {"error": "invalid_token", "error_description": refusal} if refusal else None
        response = jsonify(said or {"message": text})
        response.status_code = status
        response.headers.update(headers or {})
        return response

    def not_found(self, what: str = "") -> Response:
        return self.error(404, f"404 {what} Not Found" if what else "404 Not found")

    def bad_request(self, message: str) -> Response:
        response = jsonify({"error": message})
        response.status_code = 400
        return response

    def authorized(self, req: Request) -> bool:
        """``PRIVATE-TOKEN: <token>`` (what python-gitlab sends) or ``Authorization: Bearer``;
        anything else is GitLab's 401. Web pages need no token."""
        if req.method == "GET" and pages.is_page(req.path):
            return True
        token = req.headers.get("PRIVATE-TOKEN")
        bearer = req.headers.get("Authorization", "")
        if token is None and bearer.startswith("Bearer "):
            token = bearer.removeprefix("Bearer ")
        if token != self.world.token:
            return False
        g.token_refusal = self.world.token_refusal()
        return g.token_refusal is None

    def limit_hit(self, req: Request) -> LimitHit | None:
        hit = self.limits.hit("api")
        if hit is None and req.method == "POST" and req.path.endswith("/notes"):
            hit = self.limits.hit("notes")
        if hit is None and req.method == "POST" and req.path.endswith("/issues"):
            hit = self.limits.hit("issues")
        return hit

    def limit_message(self, hit: LimitHit) -> str:
        return "Retry later"

    def rate_limit_headers(self, retry_after: int) -> dict[str, str]:
        reset = int(time.time()) + retry_after
        return {
            "Retry-After": str(retry_after),
            "RateLimit-Limit": "2000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
            "RateLimit-ResetTime": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(reset)),
        }

    def sandbox_only(self, req: Request) -> str | None:
        return "web page" if pages.is_page(req.path) else None

    def path_template(self, req: Request) -> str | None:
        return None if pages.is_page(req.path) else rules.template_of(req)

    def check_request(self, req: Request) -> list[str]:
        if pages.is_page(req.path):
            return []
        return rules.problems(req)

    def reject(self, problems: list[str]) -> Response:
        if any("is not an operation" in p for p in problems):
            return self.error(404, "404 Not Found")
        return self.bad_request(", ".join(problems))

    def decorate(self, response: Response) -> None:
        self._used += 1
        response.headers.setdefault("RateLimit-Limit", "2000")
        response.headers.setdefault("RateLimit-Observed", str(self._used))
        response.headers.setdefault("RateLimit-Remaining", str(max(2000 - self._used, 0)))

    def register_routes(self, app: Flask) -> None:
        routes.register(app, self)
        project_hooks.register(app, self)
        tokens.register(app, self)
        pages.register(app, self)

    def register_control(self, bp: Blueprint) -> None:
        control.register(bp, self)
        tokens.register_control(bp, self)

    def snapshot(self) -> dict[str, Any]:
        render = self.render
        return {
            project.path_with_namespace: {
                "id": project.id,
                "issues": [render.issue(project, i) for i in project.issues.values()],
                "notes": {
                    str(i.iid): [render.note(i, n) for n in i.notes]
                    for i in project.issues.values()
                },
                "links": [
                    {"source": link.source_iid, "target": link.target_iid, "type": link.link_type}
                    for link in project.links
                ],
                "merge_requests": [
                    render.merge_request(project, m) for m in project.merge_requests.values()
                ],
                "releases": [render.release(project, r) for r in project.releases.values()],
            }
            for project in self.world.projects.values()
        }
