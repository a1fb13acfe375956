"""Who handles what: inbox processors per source, outbox performers per target, periodic hooks.

Later capabilities register here (the workflow registers inbox processors, connectors register
performers, the SLA engine registers a periodic hook); the job engine only dispatches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bridge.store.tables import InboxRow, OutboxRow

Outcome = Literal["done", "ignored", "held"]
InboxProcessor = Callable[[InboxRow], Outcome]
OutboxPerformer = Callable[[OutboxRow], dict[str, Any]]
PeriodicHook = Callable[[dt.datetime], None]
# Runs after a performer succeeded and before the row is marked done; if it raises, the row is
# retried, and the performer (idempotent by key) hands back the same result.
CompletionHook = Callable[[OutboxRow, dict[str, Any]], None]


class StoredDelivery(Protocol):
    """What a processor reads of the inbox row it is handed."""

    @property
    def id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def delivery_id(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def body(self) -> bytes: ...


class PerformedEffect(Protocol):
    """What a completion hook reads of the outbox row whose performer succeeded."""

    @property
    def target(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...


class TransientError(Exception):
    """Worth retrying later: a timeout, a 429, a 5xx."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Retrying cannot help: the request or delivery is refused for what it is. An inbox row
    that raises it is set aside as ``ignored`` with the message; an outbox row becomes a dead
    letter at once."""


@dataclass
class Processors:
    by_source: dict[str, InboxProcessor] = field(default_factory=dict)

    def register(self, source: str, processor: InboxProcessor) -> None:
        self.by_source[source] = processor

    def find(self, source: str) -> InboxProcessor | None:
        return self.by_source.get(source)


@dataclass
class Performers:
    by_target: dict[str, OutboxPerformer] = field(default_factory=dict)
    periodic: dict[str, PeriodicHook] = field(default_factory=dict)
    completions: dict[str, CompletionHook] = field(default_factory=dict)
    priorities: dict[str, int] = field(default_factory=dict)

    def register(self, target: str, performer: OutboxPerformer, priority: int = 0) -> None:
        """``priority``: queued jobs of a higher one are taken first (Huey's priority)."""
        self.by_target[target] = performer
        self.priorities[target] = priority

    def priority(self, target: str) -> int:
        return self.priorities.get(target, 0)

    def find(self, target: str) -> OutboxPerformer | None:
        return self.by_target.get(target)

    def on_done(self, operation: str, hook: CompletionHook) -> None:
        self.completions[operation] = hook

    def every_minute(self, name: str, hook: PeriodicHook) -> None:
        self.periodic[name] = hook
