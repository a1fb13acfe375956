"""Results of side effects already done, read from our own outbox before asking any vendor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.store.tables import OutboxRow


class EarlierResults:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def first(self, key_prefix: str) -> dict[str, Any] | None:
        """The result of the oldest finished side effect whose key starts with the prefix."""
        with self._sessions() as session:
            return session.scalars(
                select(OutboxRow.result)
                .where(
                    OutboxRow.idempotency_key.startswith(key_prefix, autoescape=True),
                    OutboxRow.status == "done",
                    OutboxRow.result.is_not(None),
                )
                .order_by(OutboxRow.id)
                .limit(1)
            ).first()
