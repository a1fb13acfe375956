"""Slack as Chat: one Block Kit head message per escalation, thread replies, direct messages.

Every message carries metadata of type ``support_bridge_write`` naming its idempotency key, so
the bridge can find a message it posted before a crash (``conversations.history``) and can tell
its own messages from people's in the events Slack sends back.
"""

from __future__ import annotations

import urllib.error
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import cached_property, partial
from typing import Any, ClassVar, TypeVar

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bridge.config.connectors import SlackSettings
from bridge.connectors import origin, retry
from bridge.connectors.errors import translated
from bridge.connectors.reach import http_probe
from bridge.connectors.registry import BuiltFromSettings, Context, unknown_operation
from bridge.connectors.slack.blocks import escalation_blocks, fallback_text, reply_blocks
from bridge.connectors.slack.channels import SlackChannel
from bridge.connectors.slack.errors import translate
from bridge.connectors.slack.workspace import SlackWebWorkspace
from bridge.observability.health import Check
from bridge.services.block_text import message_blocks, message_text
from bridge.services.ports import (
    CheckResult,
    ConnectorError,
    ExternalRef,
    IdempotencyKey,
    Kind,
    TransientConnectorError,
)

log = structlog.get_logger(__name__)
T = TypeVar("T")
HEAD_NOT_YET = 30.0  # seconds before a reply tries again to find its thread
# conversations.list is Tier 2 (20+ calls a minute): Slack advises pages of at most 200.
CHANNEL_PAGE = 200


class SlackConnector(BuiltFromSettings):
    key = "slack"
    title: ClassVar[str] = "Slack"
    budgets: ClassVar[dict[str, str]] = {"slack:channel": "1/second", "slack:requests": "50/minute"}
    kind = Kind.CHAT
    features = frozenset(
        {
            "post",
            "update",
            "thread_reply",
            "direct_message",
            "message_metadata",
            "block_kit",
            "workspace",
        }
    )

    @classmethod
    def probe(cls, config: SlackSettings) -> Check:
        """Slack's ``api.test``, which needs no token: the bare ``/api/`` is no Web API method."""
        return http_probe(cls.key, str(config.base_url).rstrip("/") + "/api.test")

    def __init__(
        self, settings: SlackSettings, context: Context, *, history_lookup: bool = True
    ) -> None:
        self.settings = settings
        self._gate = context.gate
        self._earlier = context.earlier
        # Looking our messages up needs the channels:history scope; without it a crash
        # between posting and committing can leave one duplicate message.
        self.history_lookup = history_lookup

    @cached_property
    def client(self) -> WebClient:
        return WebClient(
            token=self.settings.bot_token.get_secret_value(),
            base_url=str(self.settings.base_url),
            timeout=15,
            retry_handlers=[],  # one retry policy: ours
        )

    @cached_property
    def workspace(self) -> SlackWebWorkspace:
        """The calls the ``/slack`` listeners make while a person waits."""
        return SlackWebWorkspace(self.settings)

    @cached_property
    def identity(self) -> dict[str, str]:
        answer = self.call(self.client.auth_test)
        return {"user_id": str(answer.get("user_id")), "bot_id": str(answer.get("bot_id"))}

    def call(self, fn: Callable[[], T], channel: str | None = None, creates: bool = False) -> T:
        def attempt() -> T:
            with ExitStack() as slots:
                slots.enter_context(self._gate.slot("slack:requests"))
                if channel:
                    slots.enter_context(self._gate.slot("slack:channel", channel))
                vendor_errors = (SlackClientError, urllib.error.URLError, TimeoutError, OSError)
                return translated(fn, vendor_errors, translate, creates=creates)

        return retry.call(attempt)

    # -- the outbox's operations --------------------------------------------------------------
    def perform(
        self, operation: str, payload: dict[str, Any], key: IdempotencyKey
    ) -> dict[str, Any]:
        if operation == "upsert_escalation_message":
            return self.upsert_head(
                payload["escalation_id"], payload["channel"], payload["summary"], key
            )
        if operation == "thread_reply":
            head = self._head(payload["escalation_id"])
            mentions = " ".join(f"<@{user}>" for user in payload.get("mention") or [])
            text = f"{mentions} {payload['text']}".strip()
            blocks = reply_blocks(text, payload.get("buttons") or [])
            return self._result(self.reply(head, text, key, blocks))
        if operation == "direct_message":
            return self._result(self.direct_message(payload["user"], payload["text"], key))
        if operation == "channel_post":
            channel = payload["channel"]
            found = self.find_by_key(channel, key)
            ref = found or self.post(channel, payload["text"], payload.get("blocks") or [], key)
            return self._result(ref)
        raise unknown_operation(self.key, operation)

    def upsert_head(
        self, escalation_id: str, channel: str, summary: dict[str, Any], key: IdempotencyKey
    ) -> dict[str, Any]:
        text = fallback_text(escalation_id, summary)
        blocks = escalation_blocks(escalation_id, summary)
        stored = self._stored_head(escalation_id)
        head = self._ref(stored) if stored else self.find_by_key(channel, key)
        if head is None:
            return self._result(self.post(channel, text, blocks, key))
        self.update(head, text, blocks)
        return self._result(head)

    def _stored_head(self, escalation_id: str) -> dict[str, Any] | None:
        if self._earlier is None:
            return None
        return self._earlier.first(f"chat:{escalation_id}:head:")

    def _head(self, escalation_id: str) -> ExternalRef:
        stored = self._stored_head(escalation_id)
        if stored is None:
            msg = f"escalation {escalation_id} has no Slack message yet; replying later"
            raise TransientConnectorError(self.key, msg, retry_after=HEAD_NOT_YET)
        return self._ref(stored)

    @staticmethod
    def _ref(result: dict[str, Any]) -> ExternalRef:
        return ExternalRef("slack", str(result["ts"]), str(result["channel"]))

    @staticmethod
    def _result(ref: ExternalRef) -> dict[str, Any]:
        return {"system": "slack", "channel": ref.key, "ts": ref.id}

    # -- Chat ---------------------------------------------------------------------------------
    def find_by_key(
        self, channel: str, key: IdempotencyKey, thread: str | None = None
    ) -> ExternalRef | None:
        if not self.history_lookup or key.fresh:
            return None

        def scan() -> Any:
            if thread:
                return self.client.conversations_replies(
                    channel=channel, ts=thread, limit=200, include_all_metadata=True
                )
            return self.client.conversations_history(
                channel=channel, limit=200, include_all_metadata=True
            )

        answer = self.call(scan)
        for message in answer.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return ExternalRef("slack", str(message["ts"]), channel)
        return None

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        key: IdempotencyKey,
        thread: str | None = None,
    ) -> ExternalRef:
        answer = self.call(
            lambda: self.client.chat_postMessage(
                channel=channel,
                text=message_text(text),
                blocks=message_blocks(blocks) or None,
                thread_ts=thread,
                metadata=origin.slack_metadata(key),
            ),
            channel=channel,
            creates=True,
        )
        log.info("slack.message.posted", channel=answer["channel"], threaded=bool(thread))
        return ExternalRef("slack", str(answer["ts"]), str(answer["channel"]))

    def update(self, ref: ExternalRef, text: str, blocks: list[dict[str, Any]]) -> None:
        self.call(
            lambda: self.client.chat_update(
                channel=ref.key,
                ts=ref.id,
                text=message_text(text),
                blocks=message_blocks(blocks) or None,
            )
        )

    def reply(
        self,
        ref: ExternalRef,
        text: str,
        key: IdempotencyKey,
        blocks: list[dict[str, Any]] | None = None,
    ) -> ExternalRef:
        found = self.find_by_key(ref.key, key, thread=ref.id)
        return found or self.post(ref.key, text, blocks or [], key, thread=ref.id)

    def direct_message(self, user: str, text: str, key: IdempotencyKey) -> ExternalRef:
        """Open the bot's DM channel with ``user``, then post there once (looked up by key)."""
        opened = self.call(lambda: self.client.conversations_open(users=user))
        channel = str(opened["channel"]["id"])
        return self.find_by_key(channel, key) or self.post(channel, text, [], key)

    # -- operations ---------------------------------------------------------------------------
    def display_name(self, user: str) -> str | None:
        """What Slack shows for a person: their display name, else their real name."""
        answer = self.call(partial(self.client.users_info, user=user))
        found = answer.get("user") or {}
        profile = found.get("profile") or {}
        for name in (profile.get("display_name"), found.get("real_name"), found.get("name")):
            if name:
                return str(name)
        return None

    def channel_name(self, channel: str) -> str | None:
        """What Slack shows for a channel id: ``#name``."""
        answer = self.call(partial(self.client.conversations_info, channel=channel))
        name = (answer.get("channel") or {}).get("name")
        return f"#{name}" if name else None

    def channels(self, *, archived: bool = False) -> Iterator[SlackChannel]:
        """Every public channel, and each private one the bot is in, page by page; archived
        ones too when ``archived`` (a caller that stops early fetches no further page)."""
        cursor = ""
        while True:
            answer = self.call(
                partial(
                    self.client.conversations_list,
                    types="public_channel,private_channel",
                    exclude_archived=not archived,
                    limit=CHANNEL_PAGE,
                    cursor=cursor or None,
                )
            )
            for found in answer.get("channels") or []:
                yield SlackChannel(
                    id=str(found["id"]),
                    name=str(found.get("name") or ""),
                    is_member=bool(found.get("is_member")),
                    is_archived=bool(found.get("is_archived")),
                    is_private=bool(found.get("is_private")),
                )
            cursor = str((answer.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return

    def check(self) -> CheckResult:
        try:
            self.identity  # noqa: B018 - the call is the check
        except ConnectorError as exc:
            return CheckResult(False, str(exc), "check connectors.slack.bot_token")
        signed_in = f"signed in as bot {self.identity['user_id']}"
        if not self.settings.socket_mode or self.settings.app_token is None:
            return CheckResult(True, signed_in)
        # The URL Slack hands out goes unused and expires: asking is the check of the token.
        token = self.settings.app_token.get_secret_value()
        try:
            self.call(partial(self.client.apps_connections_open, app_token=token))
        except ConnectorError as exc:
            return CheckResult(
                False,
                f"{signed_in}, but Socket Mode cannot connect: {exc}",
                "check connectors.slack.app_token (xapp-…, scope connections:write)",
            )
        return CheckResult(True, f"{signed_in}; Socket Mode's app-level token accepted")

    def is_own_write(self, event: dict[str, Any]) -> bool:
        """Slack message events we caused carry our metadata, or our bot's id."""
        message = event.get("event", event)
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == origin.SLACK_EVENT_TYPE:
            return True
        mine = self.identity
        return message.get("bot_id") == mine["bot_id"] or message.get("user") == mine["user_id"]
