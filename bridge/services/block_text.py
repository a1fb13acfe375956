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
