"""The arithmetic of insights: which week an instant belongs to, and the median and 90th
percentile of a set of durations.

Weeks are ISO weeks in UTC (Monday 00:00 to the next Monday 00:00), the same for every region,
so one escalation manager's week is everyone's. Percentiles are nearest-rank: the value at
rank ``ceil(p * n)`` of the ``n`` sorted values, always one that was actually measured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True, order=True)
class Week:
    """One ISO week in UTC, from ``start`` (a Monday, 00:00 UTC) for seven days."""

    start: dt.datetime

    @property
    def end(self) -> dt.datetime:
        return self.start + WEEK

    @property
    def label(self) -> str:
        """``2026-W49``: the ISO year and week number."""
        year, number, _ = self.start.date().isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def first_day(self) -> dt.date:
        return self.start.date()

    def holds(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end


def week_of(at: dt.datetime) -> Week:
    """The ISO week (UTC) ``at`` falls in."""
    utc = at.astimezone(dt.UTC)
    monday = utc.date() - dt.timedelta(days=utc.weekday())
    return Week(dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.UTC))


def weeks_until(now: dt.datetime, count: int) -> tuple[Week, ...]:
    """The ``count`` weeks ending with the one ``now`` is in (that one still running), oldest
    first."""
    if count < 1:
        msg = f"at least one week is needed, got {count}"
        raise ValueError(msg)
    current = week_of(now)
    return tuple(Week(current.start - WEEK * back) for back in range(count - 1, -1, -1))


def last_completed_week(now: dt.datetime) -> Week:
    """The most recent week that is over: its figures are final."""
    return Week(week_of(now).start - WEEK)


def nearest_rank(values: Iterable[float], percent: int) -> float | None:
    """The value at rank ``ceil(percent / 100 * n)`` of the sorted values (in whole numbers,
    so no rounding moves a rank); None for no values."""
    if not 0 < percent <= 100:
        msg = f"a percentile is a whole percent in (0, 100], got {percent}"
        raise ValueError(msg)
    ordered: Sequence[float] = sorted(values)
    if not ordered:
        return None
    rank = -(-percent * len(ordered) // 100)
    return ordered[rank - 1]


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``; None when nothing was counted (no 0 % for an empty week)."""
    return part / whole if whole else None
