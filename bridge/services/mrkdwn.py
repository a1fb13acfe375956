"""Text from outside (a customer's words, a ticket's fields) in a Slack mrkdwn message.

Slack reads ``<…>`` as a mention, a channel or a link and ``&`` as the start of an entity, so
a customer could otherwise ping ``<!channel>`` or disguise a link; Slack asks for exactly these
three characters to be escaped."""

from __future__ import annotations

import re

SECTION_LIMIT = 3000  # Slack's limit on a section block's text
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoted(text: str, limit: int = 1500) -> str:
    """``text`` escaped as a block quote of at most ``limit`` characters, cut with an ellipsis
    (never inside an entity) when it is longer."""
    lines = text.strip().splitlines() or [""]
    quote = "\n".join(f"> {escape(line)}" for line in lines)
    if len(quote) <= limit:
        return quote
    return _PARTIAL_ENTITY.sub("", quote[: limit - 1]) + "…"
