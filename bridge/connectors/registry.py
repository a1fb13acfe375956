"""Finding connectors and wiring them to the outbox.

A connector is any class published in the entry-point group ``support_bridge.connectors`` that
declares ``key``, ``kind`` and ``features`` and builds itself with ``from_settings(config,
context)``. Built-in connectors are published the same way as third-party ones, so the bridge
has no list of vendors in its code; see docs/connectors.md.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, Protocol, Self

import structlog
from pydantic import ValidationError

from bridge.config.errors import ConfigError, Problem
from bridge.config.installed import ENTRY_POINT_GROUP, installed_of_kind
from bridge.connectors.credentials import CredentialWatch
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.results import EarlierResults
from bridge.domain.identifiers import TicketIds
from bridge.jobs.registry import OutboxPerformer, PermanentError, TransientError
from bridge.services.ports import (
    Connector,
    ConnectorAuthError,
    ConnectorError,
    IdempotencyKey,
    Kind,
    PermanentConnectorError,
    TransientConnectorError,
)
from bridge.services.readings import EventKeys, HelpdeskEvents, TrackerEvents
from bridge.services.receiving import Receiver

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bridge.config import Settings
    from bridge.jobs.registry import Performers
    from bridge.store.credentials import Credentials
    from bridge.store.tables import OutboxRow

log = structlog.get_logger(__name__)
# The team's chat goes after what customers and developers wait for: Slack takes about one
# message a second per channel, and a release that tells 200 customers also posts 200 thread
# replies; queued first, those held the job threads and the customers' notices behind them.
CHAT_PRIORITY = -1


@dataclass
class Context:
    """What the bridge lends every connector it builds."""

    gate: RateGate
    earlier: EarlierResults | None = None  # None where no database is at hand (doctor)
    credentials: CredentialWatch = field(default_factory=CredentialWatch)


class BuiltFromSettings:
    """The base of a connector built as ``cls(settings, context)``: its ``from_settings``."""

    @classmethod
    def from_settings(cls, config: Any, context: Context) -> Self:
        return cls(config, context)  # type: ignore[call-arg]  # the connector's own __init__


class ConnectorFactory(Protocol):
    key: str

    def from_settings(self, config: Any, context: Context) -> Connector: ...


def discover() -> dict[str, EntryPoint]:
    """Every connector installed on this machine, by name; loaded only when configured."""
    return {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}


def load(name: str) -> ConnectorFactory:
    entry = discover().get(name)
    if entry is None:
        msg = f"no connector {name!r} is installed (entry-point group {ENTRY_POINT_GROUP!r})"
        raise LookupError(msg)
    factory: ConnectorFactory = entry.load()
    return factory


@functools.cache
def events_of(source: str) -> EventKeys | None:
    """How the installed connector named ``source`` reads its deliveries (``events`` on its
    class), whether or not it is configured: a webhook may come before its connector is."""
    entry = discover().get(source)
    if entry is None:
        return None
    events: EventKeys | None = getattr(entry.load(), "events", None)
    return events


@functools.cache
def receivers() -> dict[str, Receiver]:
    """The webhook of every installed connector that declares one (``receiver`` on its class),
    by source, whether or not it is configured: served at ``POST /webhooks/<source>``."""
    found: dict[str, Receiver] = {}
    for name, entry in discover().items():
        receiver: Receiver | None = getattr(entry.load(), "receiver", None)
        if receiver is not None and receiver.source != name:
            # Its deliveries and secret would be another source's: served nowhere, said once.
            log.error("connector.receiver_misnamed", connector=name, source=receiver.source)
        elif receiver is not None:
            found[name] = receiver
    return found


def webhook_purposes() -> dict[str, str]:
    """What each installed connector's webhook brings, by source (``config check`` names what
    is lost while it has no secret)."""
    return {source: receiver.purpose for source, receiver in receivers().items()}


def trackers_events() -> dict[str, TrackerEvents]:
    """Every installed tracker's reading of its deliveries, by source."""
    found = {name: events_of(name) for name in discover()}
    return {name: events for name, events in found.items() if isinstance(events, TrackerEvents)}


def helpdesks_events() -> dict[str, HelpdeskEvents]:
    """Every installed helpdesk's reading of its own deliveries, by source; a source without
    one (the generic intake) sends only the bridge's documented trigger body."""
    found = {name: events_of(name) for name in discover()}
    return {name: events for name, events in found.items() if isinstance(events, HelpdeskEvents)}


def installed() -> dict[str, Any]:
    """Every installed connector's class, by key, whether or not it is configured: what the
    core asks of a connector without building it (its pages, its title)."""
    return {name: entry.load() for name, entry in discover().items()}


def of_kind(kind: Kind) -> list[str]:
    """The keys of the installed connectors of ``kind``, configured or not, sorted."""
    return installed_of_kind(str(kind))


def ticket_id_rules() -> dict[str, TicketIds]:
    """How each installed helpdesk's ticket ids look (``ticket_ids`` on its class), by key;
    a helpdesk that declares none takes the generic rule."""
    found = {name: getattr(cls, "ticket_ids", None) for name, cls in installed().items()}
    return {name: rule for name, rule in found.items() if isinstance(rule, TicketIds)}


def titles() -> dict[str, str]:
    """Every installed connector's name as people read it (``title`` on its class; its key when
    it declares none), by key: the board and doctor say "Jira", never "jira"."""
    return {name: str(getattr(cls, "title", name)) for name, cls in installed().items()}


def installed_budgets() -> dict[str, str]:
    """The rate budgets every installed connector names (``budgets`` on its class)."""
    found: dict[str, str] = {}
    for cls in installed().values():
        found.update(getattr(cls, "budgets", {}))
    return found


def budgets_for(settings: Settings) -> dict[str, str]:
    """Each installed connector's budgets, with ``rate_limits`` from bridge.yaml over them; a
    budget ``rate_limits`` names that no connector spends is said in the log."""
    budgets = installed_budgets()
    for budget in sorted(set(settings.rate_limits) - set(budgets)):
        log.warning("rate_limits.unknown_budget", budget=budget, known=sorted(budgets))
    return budgets | settings.rate_limits


def build_connectors(settings: Settings, context: Context) -> dict[str, Connector]:
    """The configured connectors, built but not yet connected (no network until first use)."""
    installed = discover()
    built: dict[str, Connector] = {}
    for name in settings.connectors.configured():
        config = settings.connectors.section(name)
        if name not in installed:
            log.error("connector.missing", connector=name)
            continue
        factory: ConnectorFactory = installed[name].load()
        try:
            built[name] = factory.from_settings(config, context)
        except ValidationError as exc:  # its own model's: named by key, never the value given
            raise ConfigError(
                [
                    Problem(".".join(map(str, (f"connectors.{name}", *error["loc"]))), error["msg"])
                    for error in exc.errors()
                ]
            ) from exc
        except ValueError as exc:  # a section its own package refuses in its own words
            raise ConfigError(section_problems(name, str(exc))) from exc
    return built


def section_problems(name: str, refusal: str) -> list[Problem]:
    """A connector's refusal of its section, a problem a line (or a ``; ``-joined part naming a
    key), each under the key it names (``connectors.<name>.<key>: …``) or else the section."""
    where = f"connectors.{name}"
    parts = re.split(rf"\n|;\s+(?={re.escape(where)}[.:])", refusal)
    problems = []
    for line in filter(None, (part.strip() for part in parts)):
        path, _, message = line.partition(": ")
        named = path == where or path.startswith(where + ".")
        problems.append(Problem(path, message) if named and message else Problem(where, line))
    return problems


def performer_for(connector: Connector) -> OutboxPerformer:
    """An outbox performer: our stored result first, then the connector, errors translated."""

    def perform(row: OutboxRow) -> dict[str, Any]:
        if row.result:
            return dict(row.result)
        # Only a first attempt with no error on record cannot have reached the vendor before;
        # a crashed attempt shows as a higher count, a revived dead letter keeps its error.
        fresh = row.attempts <= 1 and not row.last_error
        key = IdempotencyKey(row.idempotency_key, fresh=fresh)
        try:
            return connector.perform(row.operation, dict(row.payload), key)
        except TransientConnectorError as exc:
            raise TransientError(str(exc), exc.retry_after) from exc
        except (ConnectorAuthError, PermanentConnectorError) as exc:
            raise PermanentError(str(exc)) from exc
        except ConnectorError as exc:
            raise PermanentError(str(exc)) from exc

    return perform


class Wiring(Protocol):
    """What registering the connectors reads of the runtime ``bootstrap()`` builds."""

    settings: Settings
    sessions: sessionmaker[Session]
    credentials: Credentials
    performers: Performers


def register_connectors(runtime: Wiring, gate: RateGate | None = None) -> dict[str, Connector]:
    """Register a performer for every configured connector on ``runtime.performers``.

    The rate budgets live in Redis when ``BRIDGE_REDIS_URL`` is set (shared by every worker),
    otherwise in this process's memory.
    """
    if gate is None:
        redis_url = runtime.settings.redis_url
        gate = RateGate.from_url(
            redis_url.get_secret_value() if redis_url else None,
            rates=budgets_for(runtime.settings),
        )
    watch = CredentialWatch(runtime.credentials)
    context = Context(gate=gate, earlier=EarlierResults(runtime.sessions), credentials=watch)
    connectors = build_connectors(runtime.settings, context)
    watch.keep_only(connectors)
    for name, connector in connectors.items():
        priority = CHAT_PRIORITY if connector.kind is Kind.CHAT else 0
        runtime.performers.register(name, performer_for(connector), priority)
        log.info("connector.registered", connector=name, kind=str(connector.kind))
    return connectors


def unknown_operation(system: str, operation: str) -> PermanentConnectorError:
    return PermanentConnectorError(system, f"this connector cannot {operation!r}")
