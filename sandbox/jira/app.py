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

from flask import Blueprint, Flask, Request, Response, jsonify, request

from sandbox.core.contract import OpenApiContract
from sandbox.core.faults import LimitHit
from sandbox.core.signing import jira_headers
from sandbox.core.vendor import VendorServer
from sandbox.jira import control, gateway, issues, pages, workflow
from sandbox.jira.createmeta import DEPRECATED
from sandbox.jira.render import ACTING_AS, JiraRenderer
from sandbox.jira.state import JiraWorld
from sandbox.openapi.operations import Operation

_V2 = re.compile(r"^/rest/api/(2|latest)/")
# Data Center 9 documents the offset-paged /search as its search (the `jira` library uses it
# there); Cloud's document marks it deprecated in favour of /search/jql, which Data Center
# lacks. No Data Center description is published where this project could vendor it, so its
# requests are judged by the Cloud document with this one exception (docs/connectors.md).
DATACENTER_SEARCH = ("GET /rest/api/3/search", "POST /rest/api/3/search")
# The `jira` library asks this (the Application Links plugin's REST API, not the platform
# API the document describes) before its first add_remote_link, and ignores a refusal; the
# sandbox answers an empty list (sandbox/jira/issues.py). A listed exception: docs/connectors.md.
APPLICATION_LINKS = "/rest/applinks/latest/listApplicationlinks"
_GLOBAL_CREATEMETA = re.compile(r"^/rest/api/[^/]+/issue/createmeta/?$")
_CREATEMETA_PAGES = re.compile(r"/issue/createmeta/[^/]+/issuetypes(/[^/]+)?$")
_CAPITALISED_BOOLEAN = re.compile(r"InvalidParameter: <root>: '(True|False)' is not one of")
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
            "jira",
            rewrite_path=_as_v3,
            coerce_body=_as_jira_binds,
            deprecated_allowed=DATACENTER_SEARCH if deployment == "datacenter" else (),
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

    def sandbox_only(self, req: Request) -> str | None:
        if req.path == gateway.TENANT_INFO:
            return "Atlassian edge (not the platform API)"
        if req.path.startswith(pages.BROWSE) or req.path == "/":
            return "web page"  # an issue's page; the site's front page (doctor's probe)
        if req.path == APPLICATION_LINKS:
            return "exception: the jira library's application-links lookup"
        return None

    def operation(self, req: Request) -> Operation | None:
        return self.contract.operation(req)

    def path_template(self, req: Request) -> str | None:
        return self.contract.path_template(req)

    def check_request(self, req: Request) -> list[str]:
        if self.sandbox_only(req):
            return []
        if self.deployment == "cloud" and _GLOBAL_CREATEMETA.match(req.path):
            return [DEPRECATED]
        if self.deployment == "datacenter" and _CLOUD_ONLY.search(req.path):
            return [f"Jira Data Center has no {req.path} (REST v2 and /search only)"]
        problems = self.contract.check_request(req)
        if self.deployment == "datacenter" and req.path.endswith("/search"):
            # Data Center reads a boolean in any case (Java's parseBoolean); the `jira`
            # library sends validateQuery=True, which Cloud's enum spells in lower case.
            problems = [p for p in problems if not _CAPITALISED_BOOLEAN.search(p)]
        return problems

    def reject(self, problems: list[str]) -> Response:
        if self.deployment == "datacenter" and _GLOBAL_CREATEMETA.match(request.path):
            # Removed from Data Center 9 (not merely deprecated): its 404, as there.
            return self.not_found("null for uri: " + request.url)
        return super().reject(problems)

    def check_response(self, req: Request, response: Response) -> list[str]:
        if req.method == "GET" and _LIST_OF_REMOTE_LINKS.search(req.path) and not req.args:
            # Errata: the document gives one RemoteIssueLink as the schema, while its own
            # example, Jira itself and the `jira` library all use a list of them.
            return []
        if self.sandbox_only(req):
            return []
        problems = self.contract.check_response(req, response)
        if response.status_code == 404 and _CREATEMETA_PAGES.search(req.path):
            # Errata: the project-scoped create metadata lists 200, 400 and 401 only, while an
            # unknown project or issue type is Jira's 404 like every project-scoped resource.
            problems = [p for p in problems if "ResponseNotFound" not in p]
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
