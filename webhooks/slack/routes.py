"""``/slack/commands``, ``/slack/interactions``, ``/slack/events``: the guard ladder, then bolt.

Slack is verified here, on the raw bytes, against every active signing secret; the body's
shape is checked before bolt parses it, so a signed but malformed request is a 400, not a 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, request

from bridge.services.json_body import TooDeep, parse_json
from webhooks import verify
from webhooks.ladder import (
    Answer,
    MiB,
    not_configured,
    read_body,
    refuse,
    secrets_or_none,
    too_large,
)
from webhooks.payload import Malformed, dig, token
from webhooks.slack.manifest import COMMANDS_PATH, EVENTS_PATH, INTERACTIONS_PATH

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


def _json_object(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        payload = parse_json(text)
    except TooDeep as exc:
        raise Malformed("json_too_deep", f"{what}: {exc}") from None
    except ValueError:
        raise Malformed("bad_json", f"{what} is not valid JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Malformed("bad_json", f"{what} is not a JSON object with a type")
    return payload


# Fields bolt reads from every payload before any listener runs, and the types it assumes.
SHAPES: dict[str, tuple[type, ...]] = {
    "enterprise": (str, dict),
    "team": (str, dict),
    "user": (str, dict),
    "channel": (str, dict),
    "view": (dict,),
    "message": (dict,),
    "previous_message": (dict,),
    "event": (dict,),
    "item": (dict,),
    "container": (dict,),
    "assistant_thread": (dict,),
    "authorizations": (list,),
    "actions": (list,),
}
VIEW_KEYS = ("type", "callback_id")
NESTED = ("event", "message", "previous_message", "item", "assistant_thread", "view", "container")


def _check_shape(payload: dict[str, Any], depth: int = 0) -> None:
    """Refuse what would make bolt's own payload parsing raise (it answers 500 then)."""
    for key, kinds in SHAPES.items():
        if key in payload and not isinstance(payload[key], kinds):
            raise Malformed("unexpected_payload", f"{key} has an unexpected type")
    view = payload.get("view")
    if isinstance(view, dict) and not all(isinstance(view.get(k), str) for k in VIEW_KEYS):
        raise Malformed("unexpected_payload", "view without a type and callback_id")
    for key in ("authorizations", "actions"):
        items = payload.get(key) or []
        if not all(isinstance(item, dict) for item in items):
            raise Malformed("unexpected_payload", f"{key} must be a list of objects")
        for item in items[:1] if depth < 3 else []:
            _check_shape(item, depth + 1)
    for key in NESTED if depth < 3 else ():
        if isinstance(payload.get(key), dict):
            _check_shape(payload[key], depth + 1)


def _optional_id(value: Any, what: str) -> None:
    """Ids become inbox keys; an absent one is bolt's to ignore, a strange one is refused."""
    if value not in (None, ""):
        token(value, what)


def _check_command(body: bytes) -> None:
    _optional_id((_form(body).get("trigger_id") or [""])[0], "trigger_id")


def _check_interaction(body: bytes) -> None:
    payload = _json_object((_form(body).get("payload") or [""])[0], "payload")
    _check_shape(payload)
    _optional_id(dig(payload, "view", "id"), "view.id")
    _optional_id(payload.get("trigger_id"), "trigger_id")


def _check_event(body: bytes) -> None:
    payload = _json_object(body, "body")
    _check_shape(payload)
    if payload["type"] == "event_callback":
        token(payload.get("event_id"), "event_id")
        if not isinstance(dig(payload, "event", "type"), str):
            raise Malformed("unknown_event", "event without a type")


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
    if not verify.slack(
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
