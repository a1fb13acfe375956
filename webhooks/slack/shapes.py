"""What a Slack request must look like before bolt reads it, however it came in.

``/slack/*`` (signed HTTP requests) and Socket Mode (envelopes over the bridge's WebSocket) hand
bolt the same payloads, so both refuse the same ones here: a payload that would make bolt's own
parsing raise, or an id that could not be an inbox key.
"""

from __future__ import annotations

from typing import Any

from bridge.services.receiving import Malformed, dig, token

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
# What bolt's listener matchers compare with a string or a pattern, wherever it is present.
MATCHED_KEYS = ("action_id", "block_id", "callback_id")
NESTED = ("event", "message", "previous_message", "item", "assistant_thread", "view", "container")


def typed_object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Malformed("bad_json", f"{what} is not a JSON object with a type")
    return payload


def _check_shape(payload: dict[str, Any], depth: int = 0) -> None:
    """Refuse what would make bolt's own payload parsing raise (it answers 500 then)."""
    for key, kinds in SHAPES.items():
        if key in payload and not isinstance(payload[key], kinds):
            raise Malformed("unexpected_payload", f"{key} has an unexpected type")
    for key in MATCHED_KEYS:
        if payload.get(key) is not None and not isinstance(payload[key], str):
            raise Malformed("unexpected_payload", f"{key} must be a string")
    view = payload.get("view")
    if isinstance(view, dict) and not all(isinstance(view.get(k), str) for k in VIEW_KEYS):
        raise Malformed("unexpected_payload", "view without a type and callback_id")
    for key in ("authorizations", "actions"):
        items = payload.get(key) or []
        if not all(isinstance(item, dict) for item in items):
            raise Malformed("unexpected_payload", f"{key} must be a list of objects")
        for item in items if depth < 3 else []:
            _check_shape(item, depth + 1)
    for key in NESTED if depth < 3 else ():
        if isinstance(payload.get(key), dict):
            _check_shape(payload[key], depth + 1)


def _optional_id(value: Any, what: str) -> None:
    """Ids become inbox keys; an absent one is bolt's to ignore, a strange one is refused."""
    if value not in (None, ""):
        token(value, what)


def check_command(fields: Any) -> None:
    """A slash command: its form fields (over HTTP) or the same as an object (Socket Mode)."""
    if not isinstance(fields, dict):
        raise Malformed("bad_form", "a slash command's fields are not an object")
    _optional_id(fields.get("trigger_id"), "trigger_id")


def check_interaction(payload: Any) -> None:
    """A press, a form submission: the JSON of the ``payload`` field, or the envelope's payload."""
    checked = typed_object(payload, "payload")
    _check_shape(checked)
    actions = checked.get("actions") or []
    if checked["type"] == "block_actions" and not (
        actions and all(isinstance(action.get("action_id"), str) for action in actions)
    ):
        raise Malformed("unexpected_payload", "block_actions without actions that name their id")
    _optional_id(dig(checked, "view", "id"), "view.id")
    _optional_id(checked.get("trigger_id"), "trigger_id")


def check_event(payload: Any) -> None:
    """An Events API callback (the JSON body, or the envelope's payload)."""
    checked = typed_object(payload, "body")
    _check_shape(checked)
    if checked["type"] == "event_callback":
        token(checked.get("event_id"), "event_id")
        if not isinstance(dig(checked, "event", "type"), str):
            raise Malformed("unknown_event", "event without a type")
