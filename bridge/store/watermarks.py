"""Catch-up watermarks: per vendor source and scope, the time up to which the vendor's events
have been compared with what the bridge knows, and when that was last tried.

A run that read everything moves ``seen_until`` to the time it began (``checked_at``); a run
cut off at its page cap moves it only as far as it read, so ``seen_until`` stays before
``checked_at`` with no error: the source is *behind*, and its next run is due after
``BACKLOG_PAUSE`` instead of a whole interval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.store.tables import CatchUpWatermark

MAX_ERROR_LENGTH = 2_000
# A backlog is read on at the next minute's tick (every worker ticks once a minute). A run
# still going after this long looks behind too and may be taken again: the inbox drops what
# both read, so the cost is requests, and the pause is kept as long as the tick allows.
BACKLOG_PAUSE = dt.timedelta(seconds=50)


@dataclass(frozen=True)
class Watermark:
    seen_until: dt.datetime
    checked_at: dt.datetime
    last_error: str | None = None

    @property
    def behind(self) -> bool:
        """The last run succeeded but stopped at its page cap: events after ``seen_until``
        are still to be read."""
        return self.last_error is None and self.seen_until < self.checked_at


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
        """Take the scheduled run if the last one is ``every`` old, or ``BACKLOG_PAUSE`` old
        when it left a backlog: every worker ticks each minute, and this one conditional update
        lets only one of them ask the vendor."""
        row = CatchUpWatermark
        behind = and_(
            row.last_error.is_(None),
            row.seen_until < row.checked_at,
            row.checked_at <= now - BACKLOG_PAUSE,
        )
        with self._sessions.begin() as session:
            taken = session.execute(
                update(CatchUpWatermark)
                .where(
                    CatchUpWatermark.source == source,
                    CatchUpWatermark.scope == scope,
                    or_(CatchUpWatermark.checked_at <= now - every, behind),
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
        cut_off: bool = False,
    ) -> None:
        """A run's outcome: ``seen_until`` moves the watermark (never backwards, unless the run
        was ``cut_off`` inside the stretch it reached back over); without it (a failed run)
        only ``checked_at`` and the error change."""
        with self._sessions.begin() as session:
            row = session.get(CatchUpWatermark, (source, scope))
            if row is None:
                row = CatchUpWatermark(
                    source=source, scope=scope, seen_until=seen_until or checked_at
                )
                session.add(row)
            elif seen_until is not None and (cut_off or seen_until > row.seen_until):
                row.seen_until = seen_until
            row.checked_at = checked_at
            row.last_error = error[:MAX_ERROR_LENGTH] if error else None
