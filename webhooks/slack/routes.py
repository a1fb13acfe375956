"""``/slack/commands``, ``/slack/interactions``, ``/slack/events``: the guard ladder, then bolt.

Slack is verified here, on the raw bytes, against every active signing secret; the body's
shape is checked before bolt parses it (``shapes.py``, as for Socket Mode's envelopes), so a
signed but malformed request is a 400, not a 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, request

from bridge.services import signatures
from bridge.services.json_body import TooDeep, parse_json
from bridge.services.receiving import Malformed
from webhooks.ladder import (
    Answer,
    MiB,
    not_configured,
    read_body,
    refuse,
    secrets_or_none,
    too_large,
)
from webhooks.slack.manifest import COMMANDS_PATH, EVENTS_PATH, INTERACTIONS_PATH
from webhooks.slack.shapes import check_command, check_event, check_interaction

SOURCE = "slack"
MAX_BYTES = 1 * MiB
SIGNATURE = "X-Slack-Signature"
TIMESTAMP = "X-Slack-Request-Timestamp"
FORM = "application/x-www-form-urlencoded"

blueprint = Blueprint("slack", __name__)


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise Malformed("bad_form", "body is not a UTF-8 form") from None


def _json_object(text: str | bytes, what: str) -> Any:
    try:
        return parse_json(text)
    except TooDeep as exc:
        raise Malformed("json_too_deep", f"{what}: {exc}") from None
    except ValueError:
        raise Malformed("bad_json", f"{what} is not valid JSON") from None


def _check_command(body: bytes) -> None:
    check_command({name: values[0] for name, values in _form(body).items()})


def _check_interaction(body: bytes) -> None:
    check_interaction(_json_object((_form(body).get("payload") or [""])[0], "payload"))


def _check_event(body: bytes) -> None:
    check_event(_json_object(body, "body"))


CHECKS = {
    "commands": (FORM, _check_command),
    "interactions": (FORM, _check_interaction),
    "events": ("application/json", _check_event),
}


def slack_request(kind: str) -> Answer | Response:
    secrets = secrets_or_none(SOURCE)
    surface = current_app.extensions.get("bridge.slack")
    if not secrets:
        return not_configured(SOURCE)
    if surface is None:
        return refuse(SOURCE, 404, "not_configured", "Slack is off: connectors.slack unset")
    if (request.content_length or 0) > MAX_BYTES:
        return too_large(SOURCE, MAX_BYTES)
    mimetype, check = CHECKS[kind]
    if request.mimetype != mimetype:
        return refuse(SOURCE, 415, "unsupported_media_type", f"send Content-Type {mimetype}")
    missing = [name for name in (SIGNATURE, TIMESTAMP) if not request.headers.get(name)]
    if missing:
        return refuse(SOURCE, 400, "missing_header", f"missing header {', '.join(missing)}")
    body = read_body(MAX_BYTES)
    if body is None:
        return too_large(SOURCE, MAX_BYTES)
    if not signatures.slack_v0(
        body, request.headers.get(TIMESTAMP), request.headers.get(SIGNATURE), secrets
    ):
        return refuse(SOURCE, 401, "bad_signature", "signature does not match or is too old")
    try:
        check(body)
    except Malformed as problem:
        return refuse(SOURCE, 400, problem.reason, problem.detail)
    response = surface.handler.handle(request)
    if response.status_code == 404:
        return {"status": "ignored", "reason": "nothing in the bridge handles this"}, 200
    return response


@blueprint.post(COMMANDS_PATH)
def commands() -> Answer | Response:
    return slack_request("commands")


@blueprint.post(INTERACTIONS_PATH)
def interactions() -> Answer | Response:
    return slack_request("interactions")


@blueprint.post(EVENTS_PATH)
def events() -> Answer | Response:
    return slack_request("events")
