"""What ``bootstrap()`` hands the workflow services, instead of the runtime itself.

Every service works in transactions it begins, plans its side effects in the outbox, claims
guard tokens for work that must happen once, and reads the settings and the clock; the few
that need more (another service, a connector, the known-AR read) take it in their constructor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bridge.config import Settings
from bridge.jobs.clock import utcnow, worker_identity
from bridge.services.pages import Pages
from bridge.store.guards import Guards
from bridge.store.outbox import Outbox
from bridge.store.transactions import Transaction, Transactions


@dataclass(frozen=True)
class Collaborators:
    transactions: Transactions
    outbox: Outbox
    guards: Guards
    # Called at each use rather than captured: replacing ``runtime.settings`` (a reload, a test)
    # reaches every service at once.
    current_settings: Callable[[], Settings]
    pages: Pages  # the pages people open for a ticket or a record, asked of the connectors
    clock: Callable[[], dt.datetime] = utcnow
    worker: Callable[[], str] = worker_identity


class Service:
    """The base of a workflow service: the collaborators under the names its steps use."""

    def __init__(self, collaborators: Collaborators) -> None:
        self.collaborators = collaborators
        self.transactions = collaborators.transactions
        self.outbox = collaborators.outbox
        self.guards = collaborators.guards
        self.pages = collaborators.pages

    @property
    def settings(self) -> Settings:
        return self.collaborators.current_settings()

    def now(self) -> dt.datetime:
        return self.collaborators.clock()

    def configured(self, connector: str) -> bool:
        return connector in self.settings.connectors.configured()

    def claim(self, session: Transaction, token: str, now: dt.datetime) -> bool:
        """The guard token, in the caller's transaction so that it commits with the action."""
        return self.guards.acquire_in(session, token, self.collaborators.worker(), now)
