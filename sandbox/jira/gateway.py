"""Atlassian's API gateway in front of a Jira Cloud site, and the site's tenant info.

``https://api.atlassian.com/ex/jira/{cloudId}/rest/...`` reaches the site whose cloud id that
is; a scoped API token is accepted only there. ``GET https://{site}/_edge/tenant_info``
(unauthenticated) names the site's cloud id. The sandbox serves both on the Jira server's
own port: a request under ``/ex/jira/{cloudId}`` is the site's request, marked as having
come through the gateway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Request, jsonify

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer

TENANT_INFO = "/_edge/tenant_info"
_THROUGH = "sandbox.jira.through_gateway"
_GATEWAY_PATH = re.compile(r"^/ex/jira/(?P<cloud>[^/]+)(?P<rest>/.*)$")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def through_gateway(req: Request) -> bool:
    return bool(req.environ.get(_THROUGH))


class Gateway:
    """WSGI middleware: strips ``/ex/jira/{cloudId}`` for the site's own cloud id; any other
    cloud id (or a Data Center server, which has no gateway) is not found."""

    def __init__(self, app: WsgiApp, server: JiraServer) -> None:
        self.app = app
        self.server = server

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        match = _GATEWAY_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.app(environ, start_response)
        site = self.server
        if site.deployment != "cloud" or match["cloud"] != site.world.cloud_id:
            body = json.dumps({"code": 404, "message": "Not Found"}).encode()
            start_response(
                "404 NOT FOUND",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        environ["PATH_INFO"] = match["rest"]
        environ[_THROUGH] = True
        return self.app(environ, start_response)


def register(app: Flask, server: JiraServer) -> None:
    @app.get(TENANT_INFO)
    def tenant_info() -> Any:
        if server.deployment != "cloud":
            return server.not_found("null for uri: " + TENANT_INFO)
        return jsonify({"cloudId": server.world.cloud_id})
