"""`conversations.info`, `.list` and `.join` as Slack documents them.

`conversations.list` filters by `types` (default `public_channel`), drops archived channels
when `exclude_archived` is set, and pages by cursor: `response_metadata.next_cursor` is empty
on the last page. As for a bot token, a private channel is listed only when the bot is in it.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from flask import Response, jsonify

from sandbox.slack.methods import method
from sandbox.slack.state import BOT_USER, Channel

if TYPE_CHECKING:
    from sandbox.slack.app import SlackServer

TYPES = frozenset({"public_channel", "private_channel", "mpim", "im"})
DEFAULT_PAGE = 100
MAX_PAGE = 1000


def channel_json(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "created": channel.created,
        "creator": BOT_USER,
        "is_archived": channel.is_archived,
        # Private channels made since 2021 are channels too; is_group marks only older ones.
        "is_channel": not channel.is_im,
        "is_general": False,
        "is_mpim": False,
        "is_group": False,
        "is_im": channel.is_im,
        "is_org_shared": False,
        "is_shared": False,
        "is_private": channel.is_private,
        "is_member": channel.is_member,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }


def _kind(channel: Channel) -> str:
    if channel.is_im:
        return "im"
    return "private_channel" if channel.is_private else "public_channel"


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _cursor(channel: Channel) -> str:
    """Opaque to clients; Slack's own look like base64 of ``team:<next id>`` too."""
    return base64.b64encode(f"team:{channel.id}".encode()).decode()


def _start(cursor: str, listed: list[Channel]) -> int | None:
    try:
        next_id = base64.b64decode(cursor, validate=True).decode().removeprefix("team:")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return next((i for i, c in enumerate(listed) if c.id == next_id), None)


@method("conversations.info")
def conversation_info(server: SlackServer, args: dict[str, Any]) -> Response:
    channel = server.world.channel(str(args.get("channel", "")))
    if channel is None:
        return server.failed("channel_not_found")
    return jsonify({"ok": True, "channel": channel_json(channel)})


@method("conversations.list")
def conversation_list(server: SlackServer, args: dict[str, Any]) -> Response:
    types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}
    if not types <= TYPES:
        return server.failed("invalid_types")
    try:
        limit = int(args.get("limit") or DEFAULT_PAGE)
    except ValueError:
        return server.failed("invalid_limit")
    if not 1 <= limit <= MAX_PAGE:
        return server.failed("invalid_limit")
    listed = [
        c
        for c in server.world.channels.values()
        if _kind(c) in types
        and not (c.is_archived and _flag(args.get("exclude_archived")))
        and (c.is_member or not c.is_private)  # a bot sees only the private channels it is in
    ]
    start = _start(str(args["cursor"]), listed) if args.get("cursor") else 0
    if start is None:
        return server.failed("invalid_cursor")
    page = listed[start : start + limit]
    rest = listed[start + limit :]
    return jsonify(
        {
            "ok": True,
            "channels": [channel_json(c) for c in page],
            "response_metadata": {"next_cursor": _cursor(rest[0]) if rest else ""},
        }
    )


@method("conversations.join")
def conversation_join(server: SlackServer, args: dict[str, Any]) -> Response:
    channel = server.world.channel(str(args.get("channel", "")))
    if channel is None:
        return server.failed("channel_not_found")
    if channel.is_archived:
        return server.failed("is_archived")
    channel.is_member = True
    return jsonify({"ok": True, "channel": channel_json(channel)})
