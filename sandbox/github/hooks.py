"""The repository webhook's deliveries, as GitHub keeps them: listed newest first with a cursor,
and redelivered on request (GitHub never redelivers on its own).

The sandbox has one hook per repository, id ``HOOK_ID`` (what ``X-GitHub-Hook-ID`` says), and
every delivery it sent is one of that hook's: a delivery the target refused is listed with the
target's status, one that never arrived (the receiver down, or a ``drop`` fault) as GitHub lists
a connection that failed, ``status_code`` 0."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Flask, jsonify, request

from sandbox.core.webhooks import Delivery
from sandbox.github.state import Repo

if TYPE_CHECKING:
    from sandbox.github.app import GithubServer

R = "/repos/<owner>/<name>"
HOOK_ID = 1
PAGE_DEFAULT = 30


def _status(delivery: Delivery) -> tuple[int, str]:
    if delivery.status is None:
        return 0, "failed to connect"
    if 200 <= delivery.status < 300:
        return delivery.status, "OK"
    return delivery.status, f"Invalid HTTP Response: {delivery.status}"


def render(number: int, delivery: Delivery, repo: Repo) -> dict[str, Any]:
    code, status = _status(delivery)
    payload = delivery.payload if isinstance(delivery.payload, dict) else {}
    action = payload.get("action")
    return {
        "id": number,
        "guid": delivery.headers.get("X-GitHub-Delivery", ""),
        "delivered_at": dt.datetime.fromtimestamp(delivery.at, dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "redelivery": delivery.redelivery,
        "duration": 0.01,
        "status": status,
        "status_code": code,
        "event": delivery.event,
        "action": action if isinstance(action, str) else None,
        "installation_id": None,
        "repository_id": repo.id,
        "throttled_at": None,
    }


def _wanted(code: int, outcome: str) -> bool:
    """GitHub's ``status`` filter: success is 200-399, failure 400-599."""
    if outcome == "success":
        return 200 <= code < 400
    if outcome == "failure":
        return 400 <= code < 600
    return True


def register(app: Flask, server: GithubServer, with_repo: Callable[..., Any]) -> None:
    def hook_deliveries() -> list[tuple[int, Delivery]]:
        sent = server.webhooks.deliveries
        return [(n, d) for n, d in enumerate(sent, 1) if d.url and d.event]

    @app.get(f"{R}/hooks/<int:hook_id>/deliveries")
    @with_repo
    def list_deliveries(repo: Repo, hook_id: int) -> Any:
        if hook_id != HOOK_ID:
            return server.not_found()
        size = min(int(request.args.get("per_page", PAGE_DEFAULT)), 100)
        cursor = request.args.get("cursor", "")
        newest_first = sorted(hook_deliveries(), key=lambda pair: -pair[0])
        if cursor.isdigit():
            newest_first = [(n, d) for n, d in newest_first if n <= int(cursor)]
        outcome = request.args.get("status", "")
        listed = [(n, d) for n, d in newest_first if _wanted(_status(d)[0], outcome)]
        page, rest = listed[:size], listed[size:]
        response = jsonify([render(n, d, repo) for n, d in page])
        if rest:
            query = urlencode({"per_page": size, "cursor": rest[0][0]})
            url = f"{server.base_url}/repos/{repo.full_name}/hooks/{hook_id}/deliveries"
            response.headers["Link"] = f'<{url}?{query}>; rel="next"'
        return response

    @app.post(f"{R}/hooks/<int:hook_id>/deliveries/<int:delivery_id>/attempts")
    @with_repo
    def redeliver(repo: Repo, hook_id: int, delivery_id: int) -> Any:
        if hook_id != HOOK_ID or server.webhooks.redeliver(delivery_id) is None:
            return server.not_found()
        return jsonify({}), 202
