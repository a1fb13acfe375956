"""A form's ``private_metadata``: what the bridge wrote into the view when it opened it, read
back within the bounds Slack itself keeps, since a signed request may still carry anything."""

from __future__ import annotations

from typing import Any

import structlog

from bridge.services.json_body import parse_json

log = structlog.get_logger("webhooks.slack")
MAX_LENGTH = 3000  # Slack's limit on a view's private_metadata


class UnreadableMetadata(ValueError):
    """Not the flat JSON object the bridge writes; the form is answered as expired."""


def read_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The metadata as the bridge wrote it: a JSON object of scalars (ids, names) and nothing
    deeper, of at most ``MAX_LENGTH`` characters."""
    raw = view.get("private_metadata")
    if not isinstance(raw, str) or not raw:
        raise UnreadableMetadata("missing")
    if len(raw) > MAX_LENGTH:
        raise _refused(f"over Slack's {MAX_LENGTH}-character limit")
    try:
        metadata = parse_json(raw)
    except ValueError:
        raise _refused("not JSON") from None
    if not isinstance(metadata, dict):
        raise _refused("not a JSON object")
    if any(isinstance(value, dict | list) for value in metadata.values()):
        raise _refused("nested")
    return metadata


def _refused(reason: str) -> UnreadableMetadata:
    # Slack hands back what the bridge wrote, so what fails here was forged: logged, not shown.
    log.warning("slack.form_metadata_refused", reason=reason)
    return UnreadableMetadata(reason)
