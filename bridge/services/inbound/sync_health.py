"""How each vendor source stands with catch-up: when the bridge last compared it with what it
knows (``last synced``), the error of the last run if it failed, and when the next run is due.

One catch-up run reads one source (a GitHub repository, a Jira project) for every AR link in
it, so an AR link's health is its source's. A source whose last run stopped at its page cap, or
waits to see the redeliveries it asked GitHub for arrive, is *behind*: it has read up to
``last synced``, and its next run, a minute later, reads on.
``support-bridge sync status``, ``doctor``, ``/metrics`` and the escalation's timeline page
all read it from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bridge.store.watermarks import BACKLOG_PAUSE, Watermarks

# A source whose last good comparison is older than this many intervals is lagging: the
# scheduled runs are not happening (no worker, or every run fails).
LAGGING_AFTER_INTERVALS = 2


@dataclass(frozen=True)
class SyncHealth:
    connector: str
    scope: str
    last_synced: dt.datetime  # events up to this time were compared
    checked_at: dt.datetime  # the last run, whatever its outcome
    last_error: str | None
    next_due: dt.datetime | None  # None: catch-up is switched off
    behind: bool = False  # the last run stopped at its page cap: a backlog remains

    def lagging(self, now: dt.datetime, every: dt.timedelta | None) -> bool:
        if every is None:
            return False
        # A backlog is read a page cap a minute: its runs, not its watermark, show it moving.
        latest = self.checked_at if self.behind else self.last_synced
        return now - latest > every * LAGGING_AFTER_INTERVALS

    def ok(self, now: dt.datetime, every: dt.timedelta | None) -> bool:
        return self.last_error is None and not self.lagging(now, every)

    def describe(self, now: dt.datetime) -> str:
        said = f"last synced {_ago(now - self.last_synced)}"
        if self.behind:
            said += "; behind: the last run did not reach the present, the next reads on"
        if self.last_error:
            said += f"; the last try ({_ago(now - self.checked_at)}) failed: {self.last_error}"
        if self.next_due is None:
            return said + "; catch-up is off"
        if self.next_due <= now:
            return said + "; next catch-up due now"
        return said + f"; next catch-up in {_span(self.next_due - now, round_up=True)}"


def sync_health(watermarks: Watermarks, every: dt.timedelta | None) -> list[SyncHealth]:
    return [
        SyncHealth(
            connector=found.source,
            scope=found.scope,
            last_synced=found.mark.seen_until,
            checked_at=found.mark.checked_at,
            last_error=found.mark.last_error,
            next_due=None
            if every is None
            else _next(found.mark.checked_at, found.mark.behind, every),
            behind=found.mark.behind,
        )
        for found in watermarks.all()
    ]


def _next(checked_at: dt.datetime, behind: bool, every: dt.timedelta) -> dt.datetime:
    return checked_at + (min(every, BACKLOG_PAUSE) if behind else every)


def of_connectors(health: list[SyncHealth], connectors: set[str]) -> dict[str, list[SyncHealth]]:
    """The health of the sources the given connectors (an escalation's AR links) read."""
    found: dict[str, list[SyncHealth]] = {}
    for source in health:
        if source.connector in connectors:
            found.setdefault(source.connector, []).append(source)
    return found


def _ago(span: dt.timedelta) -> str:
    return "just now" if span < dt.timedelta(minutes=1) else f"{_span(span)} ago"


def _span(span: dt.timedelta, *, round_up: bool = False) -> str:
    seconds = span.total_seconds()
    minutes = int(-(-seconds // 60) if round_up else seconds // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"
