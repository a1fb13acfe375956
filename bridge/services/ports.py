"""The ports the workflow's side effects reach the outside world through.

Connectors implement these with vendor libraries; nothing vendor-shaped crosses a port. Every
vendor failure is translated at the connector's boundary into one of these errors::

    ConnectorError                      something went wrong talking to an outside system
    ├── TransientConnectorError         429, 5xx, timeouts, refused connections: try again later
    │   │                               (``retry_after`` seconds when the vendor said so)
    │   └── UncertainOutcome            a create that timed out or got a 5xx may have been
    │                                   applied: never repeated on the spot, only by the outbox's
    │                                   next attempt, which looks the key up first
    ├── ConnectorAuthError              401/403: the credentials or their permissions are wrong
    └── PermanentConnectorError         other 4xx: the request itself is refused; retrying
                                        cannot help (a missing required field, no such issue)

Only ``TransientConnectorError`` is ever retried (see ``bridge.connectors.retry``); the others
become dead letters at once, carrying the vendor's message.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class IdempotencyKey(str):
    """The key of one side effect. ``fresh`` is True on the first attempt of a side effect no
    earlier attempt can have reached the vendor with, so the remote lookup may be skipped."""

    fresh: bool

    def __new__(cls, value: str, *, fresh: bool = False) -> IdempotencyKey:
        made = super().__new__(cls, value)
        made.fresh = fresh
        return made


class ConnectorError(Exception):
    """A failure talking to ``system``, worded for a support engineer."""

    def __init__(self, system: str, message: str) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system
        self.detail = message


class TransientConnectorError(ConnectorError):
    def __init__(
        self,
        system: str,
        message: str,
        retry_after: float | None = None,
        *,
        rate_limited: bool = False,
    ) -> None:
        super().__init__(system, message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


class UncertainOutcome(TransientConnectorError):
    pass


class ConnectorAuthError(ConnectorError):
    pass


class PermanentConnectorError(ConnectorError):
    pass


class Kind(enum.StrEnum):
    TRACKER = "tracker"
    CHAT = "chat"
    HELPDESK = "helpdesk"
    MAILER = "mailer"


@dataclass(frozen=True)
class ExternalRef:
    """A record in an outside system: ``id`` is what its API takes, ``key`` what people read;
    ``vendor_id`` is the vendor's id of it that never changes (Jira's issue id, GitHub's issue
    id), where a key changes when the record moves project or repository."""

    system: str
    id: str
    key: str
    url: str = ""
    vendor_id: str = ""

    def as_result(self) -> dict[str, Any]:
        found = {"system": self.system, "id": self.id, "key": self.key, "url": self.url}
        return found | ({"vendor_id": self.vendor_id} if self.vendor_id else {})


@dataclass(frozen=True)
class RecordSpec:
    """What to file in a tracker: a SPAR (``kind="spar"``) or an AR (``kind="ar"``)."""

    kind: str
    summary: str
    facts: dict[str, str] = field(default_factory=dict)
    severity: str = ""
    labels: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    ticket_url: str = ""
    ticket_id: str = ""
    record_id: str = ""
    link_to: str = ""  # the SPAR's key when filing its AR

    @classmethod
    def from_payload(cls, kind: str, spec: dict[str, Any], record_id: str) -> RecordSpec:
        return cls(
            kind=kind,
            summary=str(spec["summary"]),
            facts={str(k): str(v) for k, v in (spec.get("facts") or {}).items()},
            severity=str(spec.get("severity", "")),
            labels=tuple(spec.get("labels") or ()),
            fields=dict(spec.get("fields") or {}),
            ticket_url=str(spec.get("ticket_url", "")),
            ticket_id=str(spec.get("ticket_id", "")),
            record_id=record_id,
            link_to=str(spec.get("link_to", "")),
        )


@dataclass(frozen=True)
class Waiting:
    """One ticket waiting on an AR, as developers see it in the AR's waiting list."""

    ticket: str  # "zendesk:812"
    customer: str = ""  # the organisation's name (and the requester) as people know them
    severity: str = ""  # "3 (minor)"
    sla_due: str = ""  # the earliest due time of its running SLA clocks, "YYYY-MM-DD HH:MM UTC"
    subject: str = ""
    url: str = ""  # the helpdesk's agent view of the ticket
    classification: str = ""  # "Urgent", "High Priority"


@dataclass(frozen=True)
class WaitingList:
    """Who waits on an AR: kept as one comment on it, edited in place when the list changes.

    ``digest`` names the content (an unchanged list is not written again); ``as_of`` is when
    the list was read, so a list planned earlier never overwrites one planned later."""

    tickets: tuple[Waiting, ...]
    digest: str
    as_of: str

    @property
    def oldest_due(self) -> str:
        return min((t.sla_due for t in self.tickets if t.sla_due), default="")

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> WaitingList:
        tickets = tuple(
            Waiting(
                ticket=str(t["ticket"]),
                customer=str(t.get("customer") or ""),
                severity=str(t.get("severity") or ""),
                sla_due=str(t.get("sla_due") or ""),
                subject=str(t.get("subject") or ""),
                url=str(t.get("url") or ""),
                classification=str(t.get("classification") or ""),
            )
            for t in payload.get("tickets") or []
        )
        return cls(tickets, str(payload["digest"]), str(payload["as_of"]))


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str
    hint: str = ""


@runtime_checkable
class Connector(Protocol):
    """What every connector declares; the registry finds it through entry points."""

    key: str
    kind: Kind
    features: frozenset[str]

    def check(self) -> CheckResult: ...

    def perform(self, operation: str, payload: dict[str, Any], key: IdempotencyKey) -> dict: ...

    def is_own_write(self, event: dict[str, Any]) -> bool: ...


class Tracker(Protocol):  # Jira, GitHub
    """A development tracker: it files SPARs and ARs, comments on them, moves them and keeps
    the list of tickets waiting on an AR. The outbox's operations are dispatched to it by
    ``bridge.connectors.tracker.perform``."""

    key: str

    def ref(self, reference: str, /) -> ExternalRef: ...
    def create_record(self, spec: RecordSpec, key: IdempotencyKey) -> ExternalRef: ...
    def find_by_key(self, key: IdempotencyKey) -> ExternalRef | None: ...
    def link_back(self, ref: ExternalRef, ticket_url: str, ticket_id: str) -> None: ...
    def comment(
        self, ref: ExternalRef, text: str, key: IdempotencyKey, quote: str = ""
    ) -> None: ...
    def move_to(self, ref: ExternalRef, status: str) -> None: ...
    def upsert_waiting_list(self, ref: ExternalRef, waiting: WaitingList) -> None: ...


@dataclass(frozen=True)
class MissedEvent:
    """An event a vendor sent (or would have sent) as a webhook, found by asking its API:
    ``payload`` is shaped as that webhook's body, so the same processor reads both, and
    ``record_key`` is the one the webhook receiver derives."""

    source: str
    event_type: str
    record_key: str
    payload: dict[str, Any]
    occurred_at: dt.datetime


@dataclass(frozen=True)
class CutOff:
    """A catch-up run that stopped at its page cap before reaching the present: the events it
    read, and the vendor's time up to which it read everything (the listing is in time order).
    The watermark moves only that far, and the next run, due at once, goes on from there.
    ``unread``: what the run could not read and no later run will (a newest-first listing that
    stopped at its cap before reaching the watermark), each said in a sentence; the run then
    counts as failing with those sentences as its error, so someone looks. ``awaiting``: what
    the run asked the vendor to send again and must see arrive before the watermark moves
    (GitHub's redeliveries); the source is behind, not failing, until a run sees it."""

    events: list[MissedEvent]
    read_until: dt.datetime
    unread: tuple[str, ...] = ()
    awaiting: str = ""


@dataclass(frozen=True)
class Watching:
    """What the bridge waits on at one vendor, for catch-up to ask about: the keys of the ARs
    open escalations wait on (a tracker), the ids of tickets with an open escalation (a
    helpdesk)."""

    ars: tuple[str, ...] = ()
    tickets: tuple[str, ...] = ()


class CatchUpSource(Protocol):
    """A connector with the ``catch_up`` feature: what happened at the vendor since a time.
    ``scope`` names what one watermark covers (a repository, a project). Calls go through the
    connector's rate budget; a used-up budget raises ``TransientConnectorError``."""

    catch_up_scope: str

    def missed_since(
        self, since: dt.datetime, watching: Watching
    ) -> list[MissedEvent] | CutOff: ...


@runtime_checkable
class CatchUpInParts(Protocol):
    """A catch-up source whose later requests can wait: each part it yields (Jira: the ARs'
    changes, then the released versions) is stored before it asks for the next, so storing
    fills the time the rate budget would hold the next request back anyway."""

    def missed_in_parts(
        self, since: dt.datetime, watching: Watching
    ) -> Iterator[list[MissedEvent]]: ...


class Chat(Protocol):  # Slack
    def post(
        self, channel: str, text: str, blocks: list[dict], key: IdempotencyKey
    ) -> ExternalRef: ...
    def update(self, ref: ExternalRef, text: str, blocks: list[dict]) -> None: ...
    def reply(self, ref: ExternalRef, text: str, key: IdempotencyKey) -> ExternalRef: ...
    def direct_message(self, user: str, text: str, key: IdempotencyKey) -> ExternalRef: ...


class Helpdesk(Protocol):  # Zendesk, Freshdesk
    """A helpdesk: it reads tickets and writes notes, replies and fields; the outbox's
    operations are dispatched to it by ``bridge.connectors.helpdesk.perform``."""

    key: str

    def get_ticket(self, ticket: str) -> dict[str, Any]: ...
    def internal_note(self, ticket: str, text: str, key: IdempotencyKey) -> None: ...
    def public_reply(self, ticket: str, text: str, key: IdempotencyKey) -> None: ...
    def set_fields(self, ticket: str, fields: dict[str, Any]) -> None: ...
    def solve(self, ticket: str) -> None: ...
    def create_ticket(self, fields: dict[str, Any], key: IdempotencyKey) -> str: ...
    def inert(self, text: str) -> str: ...


class SlackWorkspace(Protocol):
    """The Slack calls the ``/slack`` listeners make while a person waits for an answer; each
    raises ``ConnectorError`` naming Slack's error code."""

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None: ...
    def post_ephemeral(self, channel: str | None, user: str, text: str) -> None: ...
    def group_members(self, group_id: str) -> frozenset[str]: ...


class Mailer(Protocol):  # SMTP
    def send(self, to: str, template: str, context: dict[str, Any], key: IdempotencyKey) -> str: ...


def has_feature(connector: Connector, feature: str) -> bool:
    return feature in connector.features
