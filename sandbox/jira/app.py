"""The Jira server, Cloud or Data Center: auth, Jira's error shape, per-second limits, the
contract.

Cloud (the default) takes basic auth with an email and an API token, or a scoped API token
through the gateway (``sandbox.jira.gateway``). Data Center (``deployment="datacenter"``) is
Jira 9: a personal access token as a Bearer token, REST v2 only, the offset-paged ``/search``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flask import Blueprint, Flask, Request, Response, jsonify

from sandbox.core.contract import OpenApiContract
from sandbox.core.faults import LimitHit
from sandbox.core.signing import jira_headers
from sandbox.core.vendor import VendorServer
from sandbox.jira import control, gateway, issues, pages, workflow
from sandbox.jira.createmeta import DEPRECATED
from sandbox.jira.render import ACTING_AS, JiraRenderer
from sandbox.jira.state import JiraWorld

_V2 = re.compile(r"^/rest/api/(2|latest)/")
# Not judged by the Cloud document: createmeta is in the full document but not the trimmed
# copy (it would match /issue/{key}); the offset-paged /search is what the `jira` library uses
# against Data Center, which this Cloud document does not describe (Cloud is removing it).
# The site's /_edge/tenant_info is Atlassian's edge, not the platform API.
_TRIMMED_AWAY = re.compile(r"/issue/createmeta|/search$|^/_edge/|^/browse/")
_GLOBAL_CREATEMETA = re.compile(r"^/rest/api/[^/]+/issue/createmeta/?$")
_CLOUD_ONLY = re.compile(r"^/rest/api/3/|/search/jql$")
_LIST_OF_REMOTE_LINKS = re.compile(r"/issue/[^/]+/remotelink$")


def _as_v3(path: str) -> str:
    """Jira describes v2 and v3 with one document; v2 differs only in text fields."""
    return _V2.sub("/rest/api/3/", path)


def _as_jira_binds(body: Any) -> Any:
    """Jira's JSON binder turns a number into a string field and reads an explicit null as
    absent; the `jira` library relies on both (`{"transition": {"id": 31}}`, `"comment":
    null`), so the check binds the same way before validating."""
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if v is not None}
    if isinstance(body, dict) and isinstance(body.get("transition"), dict):
        transition = body["transition"]
        if isinstance(transition.get("id"), int):
            body["transition"] = transition | {"id": str(transition["id"])}
    return body


class JiraServer(VendorServer):
    name = "jira"
    limit_defaults = {"requests": "10/second"}

    def __init__(
        self,
        email: str = "bridge@example.com",
        api_token: str = "sandbox-jira-api-token",  # noqa: S107 - the sandbox's demo credential
        deployment: Literal["cloud", "datacenter"] = "cloud",
    ) -> None:
        self.deployment = deployment
        self.world = JiraWorld(email=email, api_token=api_token)
        self.contract = OpenApiContract(
            "jira", rewrite_path=_as_v3, coerce_body=_as_jira_binds, undescribed=_TRIMMED_AWAY
        )
        super().__init__(jira_headers)
        self.app.wsgi_app = gateway.Gateway(self.app.wsgi_app, self)  # type: ignore[method-assign]

    @property
    def render(self) -> JiraRenderer:
        return JiraRenderer(self.world, self.base_url)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        return self.errors([message], {}, status, headers)

    def errors(
        self,
        messages: list[str],
        fields: dict[str, str],
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> Response:
        response = jsonify({"errorMessages": messages, "errors": fields})
        response.status_code = status
        response.headers.update(headers or {})
        return response

    def not_found(
        self, what: str = "Issue does not exist or you do not have permission to see it."
    ) -> Response:
        return self.error(404, what)

    def rate_limit_headers(self, retry_after: int) -> dict[str, str]:
        reset = datetime.now(UTC) + timedelta(seconds=retry_after)
        return {
            "Retry-After": str(retry_after),
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),  # Atlassian's stated format
            "X-RateLimit-Limit": self.limits.active.get("requests", "10/second").split("/")[0],
            "X-RateLimit-Remaining": "0",
            "RateLimit-Reason": "jira-burst-based",
        }

    def authorized(self, req: Request) -> bool:
        if req.path == gateway.TENANT_INFO:
            return True  # unauthenticated, as on Atlassian's edge
        if req.method == "GET" and req.path.startswith(pages.BROWSE):
            return True  # the web UI's page: a browser's session, not the API's credentials
        auth, world = req.authorization, self.world
        if auth is not None and auth.type == "bearer" and self.deployment == "datacenter":
            ACTING_AS.set("api")
            return auth.token == world.personal_access_token
        if not auth or auth.type != "basic":
            return False
        given = (auth.username, auth.password)
        developer = given == (world.developer_email, world.developer_api_token)
        ACTING_AS.set("developer" if developer else "api")
        if developer or self.deployment == "datacenter":
            return developer  # Data Center: the bridge signs in with its personal access token
        scoped = given == (world.email, world.scoped_api_token) and gateway.through_gateway(req)
        return scoped or given == (world.email, world.api_token)

    def limit_hit(self, req: Request) -> LimitHit | None:
        return self.limits.hit("requests")

    def check_request(self, req: Request) -> list[str]:
        if self.deployment == "cloud" and _GLOBAL_CREATEMETA.match(req.path):
            return [DEPRECATED]
        if self.deployment == "datacenter" and _CLOUD_ONLY.search(req.path):
            return [f"Jira Data Center has no {req.path} (REST v2 and /search only)"]
        return self.contract.check_request(req)

    def check_response(self, req: Request, response: Response) -> list[str]:
        if req.method == "GET" and _LIST_OF_REMOTE_LINKS.search(req.path) and not req.args:
            # Errata: the document gives one RemoteIssueLink as the schema, while its own
            # example, Jira itself and the `jira` library all use a list of them.
            return []
        problems = self.contract.check_response(req, response)
        if response.status_code < 300 and not response.get_data():
            # Jira documents "content: application/json, schema: {}" for the answers it sends
            # without a body (204 on edits, 201 on issueLink and properties).
            problems = [p for p in problems if not p.startswith("MissingData")]
        return problems

    def register_routes(self, app: Flask) -> None:
        issues.register(app, self)
        workflow.register(app, self)
        gateway.register(app, self)
        pages.register(app, self)

    def register_control(self, bp: Blueprint) -> None:
        control.register(bp, self)

    def snapshot(self) -> dict[str, Any]:
        render = self.render
        return {
            "issues": [
                render.issue(issue)
                | {
                    "properties": issue.properties,
                    "remotelinks": [render.remote_link(issue, link) for link in issue.remote_links],
                }
                for issue in self.world.issues.values()
            ],
            "versions": [
                render.version(v) for p in self.world.projects.values() for v in p.versions.values()
            ],
        }
