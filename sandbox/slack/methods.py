"""Slack Web API methods: auth, chat, conversations, users and views."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Response, jsonify

from sandbox.slack.state import BOT_ID, BOT_USER, TEAM_ID, Channel, Message, User

if TYPE_CHECKING:
    from sandbox.slack.app import SlackServer

Handler = Callable[["SlackServer", dict[str, Any]], Response]
HANDLERS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def _decoded(value: Any) -> Any:
    """Slack takes JSON arguments either as JSON values or as JSON-encoded strings."""
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


# Block Kit's documented length limits (https://docs.slack.dev/reference/block-kit/blocks):
# a message with any text past them is refused whole, with invalid_blocks.
SECTION_TEXT_LIMIT = 3000
SECTION_FIELD_LIMIT = 2000
HEADER_TEXT_LIMIT = 150
BLOCKS_LIMIT = 50  # "up to 50 blocks in each message": more is invalid_blocks too
# chat.postMessage's ``text``: Slack documents 40,000 characters and the error msg_too_long
# ("Message text is too long"); refused here rather than cut, so a bridge that passes is safe.
MESSAGE_TEXT_LIMIT = 40_000


def _refusal(args: dict[str, Any]) -> str | None:
    """Slack's error for a message past its documented limits, or None."""
    if len(str(args.get("text") or "")) > MESSAGE_TEXT_LIMIT:
        return "msg_too_long"
    blocks = _decoded(args.get("blocks"))
    if isinstance(blocks, list) and len(blocks) > BLOCKS_LIMIT:
        return "invalid_blocks"
    if _too_long(blocks):
        return "invalid_blocks"
    return None


def _length(text_object: Any) -> int:
    text = text_object.get("text") if isinstance(text_object, dict) else None
    return len(text) if isinstance(text, str) else 0


def _too_long(blocks: Any) -> bool:
    for block in blocks if isinstance(blocks, list) else []:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "section" and (
            _length(block.get("text")) > SECTION_TEXT_LIMIT
            or any(_length(field) > SECTION_FIELD_LIMIT for field in block.get("fields") or [])
        ):
            return True
        if kind == "header" and _length(block.get("text")) > HEADER_TEXT_LIMIT:
            return True
        if kind == "context" and any(
            _length(element) > SECTION_TEXT_LIMIT for element in block.get("elements") or []
        ):
            return True
    return False


def user_json(user: User) -> dict[str, Any]:
    profile = {
        "real_name": user.real_name,
        "display_name": user.name,
        "avatar_hash": "",
        "real_name_normalized": user.real_name,
        "display_name_normalized": user.name,
        "title": "",
        "phone": "",
        "skype": "",
        "status_text": "",
        "status_emoji": "",
        "fields": None,
        "email": user.email,
        "team": TEAM_ID,
    }
    return {
        "id": user.id,
        "team_id": TEAM_ID,
        "name": user.name,
        "deleted": False,
        "real_name": user.real_name,
        "tz": "Europe/Amsterdam",
        "tz_label": "CET",
        "tz_offset": 3600,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": 1_700_000_000,
    }


def message_json(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "message",
        "text": message.text,
        "ts": message.ts,
        "user": message.user,
        "bot_id": BOT_ID,
        "team": TEAM_ID,
    }
    if message.blocks:
        data["blocks"] = message.blocks
    if message.thread_ts:
        data["thread_ts"] = message.thread_ts
    return data


@method("api.test")
def api_test(server: SlackServer, args: dict[str, Any]) -> Response:
    """Slack's unauthenticated echo: `doctor` asks it to see that Slack can be reached."""
    if args.get("error"):
        return server.failed(str(args["error"]))
    echoed = {k: str(v) for k, v in args.items() if k in ("foo",)}
    return jsonify({"ok": True, "args": echoed} if echoed else {"ok": True})


@method("auth.test")
def auth_test(server: SlackServer, args: dict[str, Any]) -> Response:
    return jsonify(
        {
            "ok": True,
            "url": "https://sandbox-workspace.slack.com/",
            "team": "Sandbox",
            "user": "support-bridge",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }
    )


def _postable(server: SlackServer, args: dict[str, Any]) -> Channel | Response:
    ref = str(args.get("channel", ""))
    channel = server.world.channel(ref)
    if channel is None and ref.startswith("U"):
        from sandbox.slack.history import direct_channel

        channel = direct_channel(server, ref)
    if channel is None:
        return server.failed("channel_not_found")
    if channel.is_archived:
        return server.failed("is_archived")
    if not channel.is_member:
        return server.failed("not_in_channel")
    if not args.get("text") and not args.get("blocks"):
        return server.failed("no_text")
    refused = _refusal(args)
    if refused is not None:
        return server.failed(refused)
    return channel


@method("chat.postMessage")
def post_message(server: SlackServer, args: dict[str, Any]) -> Response:
    channel = _postable(server, args)
    if isinstance(channel, Response):
        return channel
    message = Message(
        channel.id,
        server.world.next_ts(),
        str(args.get("text", "")),
        BOT_USER,
        blocks=_decoded(args.get("blocks")),
        thread_ts=args.get("thread_ts"),
        metadata=_decoded(args.get("metadata")),
    )
    server.world.messages.append(message)
    return jsonify(
        {"ok": True, "channel": channel.id, "ts": message.ts, "message": message_json(message)}
    )


@method("chat.postEphemeral")
def post_ephemeral(server: SlackServer, args: dict[str, Any]) -> Response:
    channel = _postable(server, args)
    if isinstance(channel, Response):
        return channel
    if args.get("user") not in server.world.users:
        return server.failed("user_not_in_channel")
    message = Message(
        channel.id,
        server.world.next_ts(),
        str(args.get("text", "")),
        BOT_USER,
        blocks=_decoded(args.get("blocks")),
        ephemeral_to=args["user"],
    )
    server.world.messages.append(message)
    return jsonify({"ok": True, "message_ts": message.ts})


@method("chat.update")
def update_message(server: SlackServer, args: dict[str, Any]) -> Response:
    channel = server.world.channel(str(args.get("channel", "")))
    if channel is None:
        return server.failed("channel_not_found")
    message = server.world.message(channel.id, str(args.get("ts", "")))
    if message is None:
        return server.failed("message_not_found")
    refused = _refusal(args)
    if refused is not None:
        return server.failed(refused)
    if "text" in args:
        message.text = str(args["text"])
    if "blocks" in args:
        message.blocks = _decoded(args["blocks"])
    if "metadata" in args:
        message.metadata = _decoded(args["metadata"])
    message.edited = True
    return jsonify(
        {
            "ok": True,
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": {"text": message.text},
        }
    )


@method("users.info")
def users_info(server: SlackServer, args: dict[str, Any]) -> Response:
    user = server.world.users.get(str(args.get("user", "")))
    if user is None:
        return server.failed("user_not_found")
    return jsonify({"ok": True, "user": user_json(user)})


@method("users.lookupByEmail")
def users_by_email(server: SlackServer, args: dict[str, Any]) -> Response:
    wanted = str(args.get("email", "")).lower()
    user = next((u for u in server.world.users.values() if u.email == wanted), None)
    if user is None:
        return server.failed("users_not_found")
    return jsonify({"ok": True, "user": user_json(user)})


def _view_json(server: SlackServer, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
    return view | {
        "id": view_id,
        "team_id": TEAM_ID,
        "app_id": "A0SANDBOX1",
        "bot_id": BOT_ID,
        "hash": f"{view_id}-{server.world.next_ts()}",
        "state": {"values": {}},
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "external_id": view.get("external_id", ""),
    }


@method("views.open")
def views_open(server: SlackServer, args: dict[str, Any]) -> Response:
    view = _decoded(args.get("view"))
    if not isinstance(view, dict) or "type" not in view:
        return server.failed("invalid_arguments")
    shown = _view_json(server, server.world.next_id("V"), view)
    server.world.views[shown["id"]] = shown
    return jsonify({"ok": True, "view": shown})


@method("views.update")
def views_update(server: SlackServer, args: dict[str, Any]) -> Response:
    views = server.world.views
    view_id = args.get("view_id") or next(
        (
            k
            for k, v in views.items()
            if args.get("external_id") and v.get("external_id") == args.get("external_id")
        ),
        None,
    )
    if view_id not in views:
        return server.failed("not_found")
    if args.get("hash") and args["hash"] != views[view_id]["hash"]:
        return server.failed("hash_conflict")
    view = _decoded(args.get("view"))
    if not isinstance(view, dict):
        return server.failed("invalid_arguments")
    views[view_id] = _view_json(server, view_id, view)
    return jsonify({"ok": True, "view": views[view_id]})
