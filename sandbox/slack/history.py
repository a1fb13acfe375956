"""Reading messages back: `conversations.history` and `conversations.replies`, and the direct
message channels `chat.postMessage` opens for a user id.

Held to Slack's description like every method; the shapes follow Slack's method documentation
(newest first for history, with the pin and channel-action counts Slack sends; the parent then
its replies for replies; `metadata` when `include_all_metadata` is set, which the 2021
description predates: `NEWER_SLACK_FIELDS` in `sandbox/core/contract.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, jsonify

from sandbox.slack.methods import message_json, method
from sandbox.slack.state import Channel, Message

if TYPE_CHECKING:
    from sandbox.slack.app import SlackServer


def direct_channel(server: SlackServer, user_id: str) -> Channel | None:
    """Posting to a user id opens (or reuses) the bot's direct message channel with them."""
    user = server.world.users.get(user_id)
    if user is None:
        return None
    channel_id = f"D{user_id[1:]}"
    found = server.world.channels.get(channel_id)
    if found is None:
        found = Channel(channel_id, user.name, is_private=True, is_im=True)
        server.world.channels[channel_id] = found
    return found


def _json(message: Message, args: dict[str, Any]) -> dict[str, Any]:
    data = message_json(message)
    if message.metadata and str(args.get("include_all_metadata", "")).lower() in ("1", "true"):
        data["metadata"] = message.metadata
    return data


def _limit(args: dict[str, Any]) -> int:
    try:
        return max(1, min(int(args.get("limit", 100)), 1000))
    except (TypeError, ValueError):
        return 100


@method("conversations.history")
def history(server: SlackServer, args: dict[str, Any]) -> Response:
    channel = server.world.channel(str(args.get("channel", "")))
    if channel is None:
        return server.failed("channel_not_found")
    top = [
        m
        for m in server.world.in_channel(channel.id)
        if m.ephemeral_to is None and (m.thread_ts is None or m.thread_ts == m.ts)
    ]
    newest_first = sorted(top, key=lambda m: float(m.ts), reverse=True)[: _limit(args)]
    messages = [_json(m, args) for m in newest_first]
    return jsonify(
        {
            "ok": True,
            "messages": messages,
            "has_more": False,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
    )


@method("conversations.replies")
def replies(server: SlackServer, args: dict[str, Any]) -> Response:
    channel = server.world.channel(str(args.get("channel", "")))
    if channel is None:
        return server.failed("channel_not_found")
    parent = server.world.message(channel.id, str(args.get("ts", "")))
    if parent is None:
        return server.failed("thread_not_found")
    thread = [parent] + [
        m
        for m in server.world.in_channel(channel.id)
        if m.thread_ts == parent.ts and m is not parent
    ]
    messages = [_json(m, args) for m in sorted(thread, key=lambda m: float(m.ts))][: _limit(args)]
    return jsonify({"ok": True, "messages": messages, "has_more": False})


@method("conversations.open")
def open_direct(server: SlackServer, args: dict[str, Any]) -> Response:
    """Open (or find) the direct message channel with one user, as a bot does before a DM."""
    users = [u for u in str(args.get("users", "")).split(",") if u]
    if len(users) != 1:
        return server.failed("not_enough_users" if not users else "too_many_users")
    channel = direct_channel(server, users[0])
    if channel is None:
        return server.failed("user_not_found")
    return jsonify({"ok": True, "channel": {"id": channel.id, "is_im": True, "user": users[0]}})
