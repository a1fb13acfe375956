"""/_sandbox routes for Slack: mint response_urls, add channels and users, read messages."""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from sandbox.slack.methods import message_json
from sandbox.slack.state import TEAM_ID, Channel, User

if TYPE_CHECKING:
    from sandbox.slack.app import SlackServer


def register(bp: Blueprint, server: SlackServer) -> None:
    @bp.post("/response_urls")
    def mint_response_url() -> Any:
        return jsonify({"response_url": server.new_response_url()}), 201

    @bp.get("/response_posts")
    def response_posts() -> Any:
        return jsonify(server.world.response_posts)

    @bp.post("/channels")
    def add_channel() -> Any:
        data = request.get_json(force=True)
        with server.lock:
            channel = Channel(
                data["id"],
                data["name"],
                is_member=bool(data.get("is_member", True)),
                is_private=bool(data.get("is_private", False)),
                is_archived=bool(data.get("is_archived", False)),
            )
            server.world.channels[channel.id] = channel
        return jsonify(channel.__dict__), 201

    @bp.post("/users")
    def add_user() -> Any:
        data = request.get_json(force=True)
        with server.lock:
            user = User(
                data["id"], data["name"], data.get("real_name", data["name"]), data["email"].lower()
            )
            server.world.users[user.id] = user
        return jsonify(user.__dict__), 201

    @bp.get("/channels/<channel_id>/messages")
    def messages(channel_id: str) -> Any:
        found = server.world.in_channel(channel_id)
        return jsonify(
            [
                message_json(m) | {"metadata": m.metadata, "ephemeral_to": m.ephemeral_to}
                for m in found
            ]
        )

    @bp.post("/slash_command")
    def slash_command() -> Any:
        """Send the app a signed slash command, as Slack does when a user types one."""
        data = request.get_json(force=True)
        user = server.world.users.get(data.get("user_id", "U0ALICE001"))
        channel = server.world.channel(data.get("channel_id", "C0SUPPORT01"))
        if user is None or channel is None:
            return jsonify({"error": "unknown user or channel"}), 404
        fields = {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "sandbox-workspace",
            "channel_id": channel.id,
            "channel_name": channel.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": data.get("command", "/escalate"),
            "text": data.get("text", ""),
            "api_app_id": "A0SANDBOX1",
            "is_enterprise_install": "false",
            "response_url": server.new_response_url(),
            "trigger_id": f"{int(time.time())}.{uuid.uuid4().int % 10**12}.sandbox",
        }
        server.webhooks.send_body("slash_command", urlencode(fields).encode("utf-8"))
        return jsonify(fields), 202

    @bp.post("/interaction")
    def interaction() -> Any:
        """Send the app a signed interaction (`block_actions`, `view_submission`, ...)."""
        payload = request.get_json(force=True)["payload"]
        body = urlencode({"payload": json.dumps(payload)}).encode("utf-8")
        server.webhooks.send_body(str(payload.get("type", "interaction")), body)
        return "", 202

    @bp.post("/events")
    def event_callback() -> Any:
        """Send the app a signed Events API `event_callback` wrapping the given event."""
        event = request.get_json(force=True)["event"]
        envelope = {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0SANDBOX1",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
        }
        server.emit(str(event.get("type", "event")), envelope)
        return jsonify(envelope), 202
