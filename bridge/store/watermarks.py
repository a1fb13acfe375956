"""Catch-up watermarks: per vendor source and scope, the time up to which the vendor's events
have been compared with what the bridge knows, and when that was last tried."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.store.tables import CatchUpWatermark

MAX_ERROR_LENGTH = 2_000


@dataclass(frozen=True)
class Watermark:
    seen_until: dt.datetime
    checked_at: dt.datetime
    last_error: str | None = None


@dataclass(frozen=True)
class SourceWatermark:
    source: str
    scope: str
    mark: Watermark


class Watermarks:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def all(self) -> list[SourceWatermark]:
        """Every source catch-up has compared, by source and scope."""
        with self._sessions() as session:
            rows = session.scalars(
                select(CatchUpWatermark).order_by(CatchUpWatermark.source, CatchUpWatermark.scope)
            )
            return [
                SourceWatermark(
                    row.source, row.scope, Watermark(row.seen_until, row.checked_at, row.last_error)
                )
                for row in rows
            ]

    def get(self, source: str, scope: str) -> Watermark | None:
        with self._sessions() as session:
            row = session.get(CatchUpWatermark, (source, scope))
            return (
                None if row is None else Watermark(row.seen_until, row.checked_at, row.last_error)
            )

    def claim_due(self, source: str, scope: str, now: dt.datetime, every: dt.timedelta) -> bool:
        """Take the scheduled run if the last one is ``every`` old: every worker ticks each
        minute, and this one conditional update lets only one of them ask the vendor."""
        with self._sessions.begin() as session:
            taken = session.execute(
                update(CatchUpWatermark)
                .where(
                    CatchUpWatermark.source == source,
                    CatchUpWatermark.scope == scope,
                    CatchUpWatermark.checked_at <= now - every,
                )
                .values(checked_at=now)
                .execution_options(synchronize_session=False)
            )
            return bool(taken.rowcount == 1)  # type: ignore[attr-defined]

    def record(
        self,
        source: str,
        scope: str,
        *,
        checked_at: dt.datetime,
        seen_until: dt.datetime | None = None,
        error: str | None = None,
    ) -> None:
        """A run's outcome: ``seen_until`` moves the watermark (never backwards); without it
        (a failed run) only ``checked_at`` and the error change."""
        with self._sessions.begin() as session:
            row = session.get(CatchUpWatermark, (source, scope))
            if row is None:
                row = CatchUpWatermark(
                    source=source, scope=scope, seen_until=seen_until or checked_at
                )
                session.add(row)
            elif seen_until is not None and seen_until > row.seen_until:
                row.seen_until = seen_until
            row.checked_at = checked_at
            row.last_error = error[:MAX_ERROR_LENGTH] if error else None
