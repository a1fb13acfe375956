"""Slack's Block Kit length limits, met by cutting with a visible "…".

Slack refuses a whole message with ``invalid_blocks`` when one text is past its limit, so a long
ticket subject would dead-letter the escalation's message; every block the bridge builds takes
its text through these helpers (the connector's messages and the webhooks' modals alike).
"""

from __future__ import annotations

from typing import Any

# https://docs.slack.dev/reference/block-kit/blocks (section, header and context blocks)
SECTION_TEXT_LIMIT = 3000
SECTION_FIELD_LIMIT = 2000
HEADER_TEXT_LIMIT = 150
# https://docs.slack.dev/reference/methods/chat.postMessage: a message's ``text`` (msg_too_long
# past it) and its number of blocks (invalid_blocks past it).
MESSAGE_TEXT_LIMIT = 40_000
MESSAGE_BLOCKS_LIMIT = 50
ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """``text``, or its first ``limit - 1`` characters and "…" when it is longer."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)] + ELLIPSIS


def mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, str]:
    return {"type": "mrkdwn", "text": cut(text, limit)}


def plain(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, str]:
    return {"type": "plain_text", "text": cut(text, limit)}


def section(text: str) -> dict[str, Any]:
    """A section of mrkdwn ``text``, cut to Slack's 3,000 characters."""
    return {"type": "section", "text": mrkdwn(text)}


def section_fields(fields: list[str]) -> dict[str, Any]:
    """A section of up to ten mrkdwn fields (Slack's limit), each cut to 2,000 characters."""
    return {"type": "section", "fields": [mrkdwn(f, SECTION_FIELD_LIMIT) for f in fields[:10]]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_TEXT_LIMIT)}


def message_text(text: str) -> str:
    """A message's ``text`` (a thread reply, a post, the head's fallback), cut to 40,000."""
    return cut(text, MESSAGE_TEXT_LIMIT)


def message_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most 50 blocks: past that, the first 49 and a context block saying how many more
    were left out."""
    if len(blocks) <= MESSAGE_BLOCKS_LIMIT:
        return blocks
    left_out = len(blocks) - (MESSAGE_BLOCKS_LIMIT - 1)
    more = {"type": "context", "elements": [mrkdwn(f"{ELLIPSIS} {left_out} more not shown")]}
    return [*blocks[: MESSAGE_BLOCKS_LIMIT - 1], more]
