"""Reading what a verified delivery says, defensively: a payload is the sender's, not ours.

Every helper answers ``None`` for a missing or oddly typed value, so a receiver can describe a
delivery without a chain of ``isinstance`` checks and without ever raising on bad input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from werkzeug.routing import BaseConverter, ValidationError

from bridge.domain.identifiers import requester_problem, ticket_id_problem
from bridge.store.ids import record_id

MAX_TOKEN_LENGTH = 200
# Where the documented ticket bodies carry the requester (bridge.services.ticket_events reads
# the same names; Freshdesk's placeholder is ticket_contact_email).
REQUESTER_FIELDS = ("requester", "requester_email", "requester_id", "ticket_contact_email")


class Malformed(Exception):
    """The delivery is signed but cannot be understood; answered 400 with ``reason``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def dig(payload: Any, *path: str) -> Any:
    """``payload[path[0]][path[1]]...``, or None where a step is missing or not an object."""
    value = payload
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def scalar_text(value: Any) -> str | None:
    """A string or integer id as text; None for anything else (bools, floats, objects)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        text = str(value)
        return text or None
    return None


def token(value: Any, what: str, reason: str = "bad_id") -> str:
    """An id, event name or record key that is safe to store and index on any engine."""
    if not isinstance(value, str) or not value:
        raise Malformed(reason, f"{what} is missing")
    if len(value) > MAX_TOKEN_LENGTH or not value.isprintable():
        raise Malformed(reason, f"{what} is not a printable value of at most 200 characters")
    return value


def optional_token(value: str | None, what: str) -> str | None:
    return None if value is None else token(value, what)


def ticket_id(helpdesk: str, value: str) -> str:
    """A ticket id in ``helpdesk``'s own format; anything else is refused (``bad_ticket_id``)."""
    problem = ticket_id_problem(helpdesk, value)
    if problem is not None:
        raise Malformed("bad_ticket_id", problem)
    return value


def check_requester(fields: Any) -> None:
    """Refuse (``bad_requester``) a ticket whose requester could add a header to a notice."""
    if not isinstance(fields, dict):
        return
    for name in REQUESTER_FIELDS:
        value = fields.get(name)
        problem = requester_problem(value) if isinstance(value, str) else None
        if problem is not None:
            raise Malformed("bad_requester", problem)


def content_hash(body: bytes) -> str:
    """The delivery id of a source that sends none: the same bytes are the same delivery."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def iso_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; naive values are taken as UTC."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def epoch_millis(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


class RecordIdConverter(BaseConverter):
    """``<id:…>`` in a route: a record id the database can hold (``bridge.store.ids``); any
    other value matches no route, so the answer is a 404, never a database error."""

    regex = r"\d{1,20}"

    def to_python(self, value: str) -> int:
        number = record_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: object) -> str:
        return str(value)
