"""The Slack app manifest an admin pastes at app creation (api.slack.com/apps → From a manifest).

It names what the bridge's Slack surface needs and nothing more: the ``/escalate`` command, the
interactivity URL for the triage modal and the buttons, the events URL, and the bot scopes of
the Web API methods the Slack connector calls; in Socket Mode, no URL at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

COMMAND = "/escalate"
COMMANDS_PATH = "/slack/commands"
INTERACTIONS_PATH = "/slack/interactions"
EVENTS_PATH = "/slack/events"

# Scope, and the Web API methods the bridge calls under it.
BOT_SCOPES = {
    "commands": "the /escalate command",
    "chat:write": "chat.postMessage, chat.update, chat.postEphemeral",
    "channels:history": "conversations.history, conversations.replies (finding our own message "
    "after a crash, so a retry never posts twice) in public channels",
    "groups:history": "the same in private channels",
    "channels:read": "conversations.list, for config check and doctor to find the routed "
    "channels and whether the bot is in them; conversations.info, for the #name the board "
    "shows for a channel routed to by id",
    "groups:read": "the same for private channels",
    "im:write": "conversations.open, for a note to one person when no channel is known",
    "usergroups:read": "usergroups.users.list, for roles given to a user group",
    "users:read": "users.info, for the display names the board shows instead of user ids",
}
# Events any app receives without a scope: stored in the inbox, so an operator can see when
# the app was removed or its token revoked (support-bridge inbox list).
BOT_EVENTS = ["app_uninstalled", "tokens_revoked"]


def problems_with(public_url: str) -> list[str]:
    """Why Slack could not reach ``public_url``, if it could not."""
    parts = urlsplit(public_url)
    found = []
    if parts.scheme != "https":
        found.append("Slack only calls https:// URLs")
    if parts.hostname in (None, "localhost", "127.0.0.1", "::1", "0.0.0.0"):  # noqa: S104
        found.append("Slack cannot reach this machine's loopback address")
    return found


def manifest(
    public_url: str, name: str = "Support Bridge", *, socket_mode: bool = False
) -> dict[str, Any]:
    """The app's manifest; with ``socket_mode`` Slack sends everything over the bridge's
    WebSocket, so it names no request URL at all (Slack refuses one beside Socket Mode)."""
    document = _manifest(public_url, name)
    if socket_mode:
        del document["features"]["slash_commands"][0]["url"]
        del document["settings"]["event_subscriptions"]["request_url"]
        del document["settings"]["interactivity"]["request_url"]
        document["settings"]["socket_mode_enabled"] = True
    return document


def _manifest(public_url: str, name: str) -> dict[str, Any]:
    base = public_url.rstrip("/")
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Escalate a customer's problem and follow it to the fix.",
        },
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [
                {
                    "command": COMMAND,
                    "url": base + COMMANDS_PATH,
                    "description": "Escalate a helpdesk ticket, or see where one stands",
                    "usage_hint": "<ticket> [reason] | status <ticket> | help",
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": sorted(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"request_url": base + EVENTS_PATH, "bot_events": BOT_EVENTS},
            "interactivity": {"is_enabled": True, "request_url": base + INTERACTIONS_PATH},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }
