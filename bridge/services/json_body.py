"""Delivery bodies parsed as JSON: by every receiver before it answers, and again by every
processor, so the fast parser is worth having."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# Far deeper than any vendor nests (a few dozen levels), and shallow enough that whatever reads
# the value next (bolt, the standard parser: both recurse, up to ~1,000 levels) cannot fail on it.
MAX_DEPTH = 512
_ADDRESS_SEPARATORS = re.compile(r"[,;\s]+")


class TooDeep(ValueError):
    """The body nests arrays or objects deeper than ``MAX_DEPTH`` levels."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested deeper than {MAX_DEPTH} levels")


def parse_json(body: bytes | str) -> Any:
    """orjson first: it parses a delivery in a third of the time. What it refuses but JSON still
    allows (NaN, a lone surrogate escape, 1e999) goes to the standard parser, so no delivery a
    vendor could send is turned away; what neither reads raises ``ValueError``, and a body
    nested past ``MAX_DEPTH`` raises ``TooDeep`` (never a RecursionError)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("depth limit exceeded"):
            raise TooDeep from None
        try:
            value = json.loads(body)
        except RecursionError:
            raise TooDeep from None
    if _openings(body) > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise TooDeep
    return value


def _openings(body: bytes | str) -> int:
    """How many ``[`` and ``{`` the text has: no value nests deeper, and counting is cheap."""
    if isinstance(body, str):
        return body.count("[") + body.count("{")
    return body.count(b"[") + body.count(b"{")


def _deeper_than(value: Any, limit: int) -> bool:
    # A loop, not recursion: the value may be as deep as the parser allowed.
    if not isinstance(value, dict | list):
        return False
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def as_object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one: a signed delivery can still carry
    a string or a list where the vendor documents an object, and reading it must not fail."""
    return value if isinstance(value, dict) else {}


def objects_in(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in ``value`` when it is an array; anything else in it is skipped."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def as_text(value: Any) -> str:
    """``value`` when it is a JSON string, else an empty one."""
    return value if isinstance(value, str) else ""


def addresses_in(value: Any) -> list[str]:
    """Mail addresses from a comma-separated placeholder, a list of strings, or a list of
    ``{"email"|"address": ...}`` objects; anything else is no address."""
    if isinstance(value, str):
        parts = _ADDRESS_SEPARATORS.split(value)
    elif isinstance(value, list):
        parts = [
            str(item.get("email") or item.get("address") or "") if isinstance(item, dict) else item
            for item in value
            if isinstance(item, str | dict)
        ]
    else:
        return []
    return [part.strip().strip("<>").strip() for part in parts if "@" in part]
