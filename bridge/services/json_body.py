"""Delivery bodies parsed as JSON: by every receiver before it answers, and again by every
processor, so the fast parser is worth having."""

from __future__ import annotations

import json
from typing import Any

import orjson


def parse_json(body: bytes | str) -> Any:
    """orjson first: it parses a delivery in a third of the time. What it refuses but JSON still
    allows (NaN, a lone surrogate escape, 1e999) goes to the standard parser, so no delivery a
    vendor could send is turned away; what neither reads raises ``ValueError``."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)
