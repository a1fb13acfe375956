"""Slack's workspace, channels, users, messages and views as the sandbox keeps them."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T0SANDBOX1"
BOT_USER = "U0BRIDGEBOT"
BOT_ID = "B0BRIDGEBOT"


@dataclass
class Channel:
    id: str
    name: str
    is_member: bool = True
    is_private: bool = False
    created: int = field(default_factory=lambda: int(time.time()))
    is_archived: bool = False
    is_im: bool = False  # the bot's direct message channel with one person


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str
    is_bot: bool = False


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    user: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    ephemeral_to: str | None = None
    edited: bool = False


@dataclass
class SlackWorld:
    token: str
    channels: dict[str, Channel] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    response_posts: list[dict[str, Any]] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._seq) % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._seq):08d}"

    def channel(self, ref: str) -> Channel | None:
        name = ref.removeprefix("#")
        return self.channels.get(ref) or next(
            (c for c in self.channels.values() if c.name == name), None
        )

    def message(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def in_channel(self, channel: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel]


def seeded(token: str) -> SlackWorld:
    world = SlackWorld(token=token)
    for channel in (
        Channel("C0SUPPORT01", "support-escalations"),
        Channel("C0ENGTRIAGE", "eng-triage", is_member=False),
    ):
        world.channels[channel.id] = channel
    for user in (
        User(BOT_USER, "support-bridge", "Support Bridge", "bridge-bot@example.com", is_bot=True),
        User("U0ALICE001", "alice", "Alice Agent", "alice@example.com"),
        User("U0BOBDEV01", "bob", "Bob Developer", "bob@example.com"),
    ):
        world.users[user.id] = user
    return world
