"""The unit of work the services hold: they begin a transaction and hand it to the repositories
and the outbox, and never write a query of their own (import-linter keeps ``sqlalchemy`` and
``bridge.store.tables`` out of ``bridge.services``)."""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy.orm import Session, sessionmaker

Transaction: TypeAlias = Session
Transactions: TypeAlias = sessionmaker[Session]
