"""What a vendor's webhook receiver is made of, without the web framework: a ``Receiver`` its
connector declares, and the defensive readers it describes a verified delivery with.

The web app serves every installed connector's receiver at ``POST /webhooks/<key>`` and climbs
the same guard ladder for each (webhooks/ladder.py); a vendor package brings its own receiver
(``bridge/connectors/<vendor>/webhook.py``) and edits nothing else. A payload is the sender's,
not ours: every reader answers ``None`` for a missing or oddly typed value, so a receiver needs
no chain of ``isinstance`` checks and never raises on bad input, except ``Malformed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bridge.domain.identifiers import TicketIds, requester_problem, ticket_id_problem
from bridge.store.inbox import Delivery

MiB = 1024 * 1024
MAX_TOKEN_LENGTH = 200
# Where the documented ticket bodies carry the requester
# (bridge.services.inbound.ticket_events reads the same names; Freshdesk's placeholder is
# ticket_contact_email).
REQUESTER_FIELDS = ("requester", "requester_email", "requester_id", "ticket_contact_email")


class HeaderLookup(Protocol):
    """The request's headers, case-insensitive (werkzeug's ``Headers`` is one)."""

    def get(self, key: str) -> str | None: ...


@dataclass(frozen=True)
class Ignored:
    """A verified delivery the bridge has no use for; answered 200 with the reason."""

    reason: str


class Malformed(Exception):
    """The delivery is signed but cannot be understood; answered 400 with ``reason``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


Verifier = Callable[[bytes, HeaderLookup, Sequence[bytes]], bool]
Describer = Callable[[dict[str, Any], HeaderLookup, bytes], "Delivery | Ignored"]
SignedAt = Callable[[HeaderLookup], "dt.datetime | None"]


@dataclass(frozen=True)
class Receiver:
    """A vendor's webhook: how it is signed (``verify``, given every active secret) and what a
    verified delivery is (``describe``: a ``Delivery`` for the inbox, ``Ignored``, or raise
    ``Malformed``)."""

    source: str
    max_bytes: int
    verify: Verifier
    describe: Describer
    required_headers: tuple[str, ...] = ()
    any_of_headers: tuple[str, ...] = ()  # at least one of these (e.g. secret or signature)
    signed_at: SignedAt | None = None  # the time the signature covers, for the replay window
    # What never arrives while the webhook has no secret (``config check`` says it).
    purpose: str = ""


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


def ticket_id(helpdesk: str, value: str, rule: TicketIds | None = None) -> str:
    """A ticket id in ``helpdesk``'s own format (``rule``, as its connector declares it; the
    generic one without); anything else is refused (``bad_ticket_id``)."""
    problem = ticket_id_problem(helpdesk, value, {helpdesk: rule} if rule else {})
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
