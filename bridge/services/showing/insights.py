"""Insights for escalation managers (``/board/insights``, its CSV and ``/metrics``): how the
SLA is kept, how long customers wait, how many escalations come and go, how fixes are taken.

Counted by ``bridge.store.insights`` from what was recorded, week by week (ISO weeks, UTC);
this module names the groups as people know them (the customer organisation's name, never its
bare id where one was learnt) and works out the ratios and percentiles.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from bridge.domain.insights import Week, last_completed_week, ratio, weeks_until
from bridge.services.collaborators import Collaborators, Service
from bridge.services.showing.insight_counts import (
    DIMENSIONS,
    NO_VALUE,
    WeekPart,
    count_week,
    group_name,
    top_customers,
)
from bridge.services.showing.names import Names
from bridge.store.insight_weeks import keep_week, kept_weeks
from bridge.store.insights import InsightCounts, WaitingAr, waiting_ars
from bridge.store.transactions import Transaction

KINDS = ("acknowledge", "reply", "patch")
MEASURES = ("acknowledge", "first_reply", "accepted_fix")
TOP_ARS = 10
WEEKS_KEPT = 12  # the page's default span, kept ahead by the minute hook
# Finished weeks held in memory as read from ``insight_weeks`` (they never change): two years,
# the longest span the page shows, and a few more.
WEEKS_IN_MEMORY = 110


class Share(NamedTuple):
    """``part`` of ``whole``: clocks met of those decided, first answers that accepted, …"""

    part: int = 0
    whole: int = 0

    @property
    def ratio(self) -> float | None:
        return ratio(self.part, self.whole)


@dataclass(frozen=True)
class Spread:
    """Durations in seconds: how many, the median and the 90th percentile (nearest rank)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class WaitingOn:
    system: str
    key: str
    page: str | None
    tickets: int
    customers: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    weeks: tuple[Week, ...]
    now: dt.datetime
    # attainment[dimension][(clock kind, group)] = one Share per week
    attainment: dict[str, dict[tuple[str, str], list[Share]]]
    # durations[measure] = one Spread per week
    durations: dict[str, list[Spread]]
    opened: list[int]
    closed: list[int]
    first_time_acceptance: list[Share]  # accepted at the first answer / first answers
    still_broken: list[Share]  # "still broken" answers / all answers
    renegotiations: list[int]  # renegotiations started after a customer rejected a plan
    flagged: list[int]  # plans flagged by development (Won't Fix, Duplicate, …)
    waiting: list[WaitingOn] = field(default_factory=list)

    def groups(self, dimension: str, kind: str) -> list[str]:
        """The groups with any clock of ``kind`` decided, in a stable order."""
        return sorted(group for found, group in self.attainment[dimension] if found == kind)

    def is_current(self, index: int) -> bool:
        """Whether week ``index`` is still running (its figures can still grow)."""
        return self.weeks[index].holds(self.now)


class Insights(Service):
    def __init__(self, collaborators: Collaborators, names: Names) -> None:
        super().__init__(collaborators)
        self._names = names
        # The running week as last counted, and the minute it was counted in.
        self._running: tuple[tuple[dt.datetime, dt.datetime], WeekPart] | None = None
        # The ARs customers wait on, as read in that minute.
        self._waiting_now: tuple[dt.datetime, list[WaitingAr]] | None = None
        # Finished weeks as kept (``insight_weeks``), by the week's start.
        self._kept: dict[dt.datetime, WeekPart] = {}

    def forget_running_week(self) -> None:
        """Count the running week and the waiting ARs again at the next call, rather than
        reusing what was counted this minute (what a page opened once in a while costs)."""
        self._running = None
        self._waiting_now = None

    def report(self, weeks: int, now: dt.datetime, *, customers: int | None = None) -> Report:
        """The ``weeks`` weeks ending with this one; only the ``customers`` customers with the
        most clocks decided, when given."""
        return self.for_weeks(weeks_until(now, weeks), now, customers=customers)

    def last_week(self, now: dt.datetime) -> Report:
        """The last completed week alone: figures that no longer change (``/metrics``)."""
        return self.for_weeks((last_completed_week(now),), now)

    def for_weeks(
        self, weeks: Sequence[Week], now: dt.datetime, *, customers: int | None = None
    ) -> Report:
        """A week that is over is counted once and kept (``insight_weeks``); the running week
        is counted at each call."""
        with self.transactions.begin() as session:
            over = [week.start for week in weeks if week.end <= now]
            kept = self._kept_weeks(session, over)
            parts: list[WeekPart] = []
            for week in weeks:
                part = kept.get(week.start)
                if part is None and week.start not in over:
                    part = self._running_week(session, week, now)
                elif part is None:
                    part = count_week(InsightCounts(session, (week,), now))
                    keep_week(session, week.start, part, now)
                parts.append(part)
            ars = self._waiting_ars(session, now)
        if customers is not None:
            parts = top_customers(parts, customers)
        return self._report(tuple(weeks), parts, ars, now)

    def keep_finished_weeks(self, now: dt.datetime) -> None:
        """Minute hook: count and keep the newest finished week of the last ``WEEKS_KEPT`` not
        kept yet, one a minute, so the page and the scrape only read finished weeks (a first
        start over a long history spreads the counting over a few minutes)."""
        finished = weeks_until(now, WEEKS_KEPT + 1)[:-1]
        with self.transactions.begin() as session:
            kept = kept_weeks(session, [week.start for week in finished])
            for week in reversed(finished):
                if week.start not in kept:
                    part = count_week(InsightCounts(session, (week,), now))
                    keep_week(session, week.start, part, now)
                    return

    def _kept_weeks(
        self, session: Transaction, starts: list[dt.datetime]
    ) -> dict[dt.datetime, WeekPart]:
        """The finished weeks among ``starts`` already kept, read from the database once per
        process: only what was read back is held, so a week another process kept first is
        held as that process kept it."""
        # Read with get(): another request's thread may drop an old week meanwhile.
        held = {start: part for start in starts if (part := self._kept.get(start)) is not None}
        missing = [start for start in starts if start not in held]
        read = kept_weeks(session, missing)
        self._kept.update(read)
        for oldest in sorted(self._kept)[: max(0, len(self._kept) - WEEKS_IN_MEMORY)]:
            self._kept.pop(oldest, None)
        return {**held, **read}

    def _waiting_ars(self, session: Transaction, now: dt.datetime) -> list[WaitingAr]:
        """The ARs customers wait on, read at most once a minute, like the running week."""
        minute = now.replace(second=0, microsecond=0)
        if self._waiting_now is not None and self._waiting_now[0] == minute:
            return self._waiting_now[1]
        ars = waiting_ars(session, TOP_ARS)
        self._waiting_now = (minute, ars)
        return ars

    def _running_week(self, session: Transaction, week: Week, now: dt.datetime) -> WeekPart:
        """The running week, counted at most once a minute by this process: a page opened
        again and again (or by many people) costs one count a minute, and its figures are at
        most a minute old."""
        minute = now.replace(second=0, microsecond=0)
        if self._running is not None and self._running[0] == (week.start, minute):
            return self._running[1]
        part = count_week(InsightCounts(session, (week,), now))
        self._running = ((week.start, minute), part)
        return part

    def _report(
        self,
        weeks: tuple[Week, ...],
        parts: list[WeekPart],
        ars: list[WaitingAr],
        now: dt.datetime,
    ) -> Report:
        size = len(weeks)
        customers = self._customer_names(parts)
        attainment: dict[str, dict[tuple[str, str], list[Share]]] = {
            dimension: defaultdict(lambda: [Share()] * size) for dimension in DIMENSIONS
        }
        for index, part in enumerate(parts):
            for dimension, kinds in part["attainment"].items():
                rows = attainment[dimension]
                for kind, groups in kinds.items():
                    for key, (met, decided) in groups.items():
                        weekly = rows[kind, group_name(dimension, key, customers)]
                        # Two customer ids may carry one name: their clocks add up.
                        was = weekly[index]
                        weekly[index] = Share(was.part + met, was.whole + decided)
        return Report(
            weeks=weeks,
            now=now,
            attainment={dimension: dict(groups) for dimension, groups in attainment.items()},
            durations={
                measure: [Spread(*part["durations"][measure]) for part in parts]
                for measure in MEASURES
            },
            opened=[part["opened"] for part in parts],
            closed=[part["closed"] for part in parts],
            first_time_acceptance=[Share(*part["first_time_acceptance"]) for part in parts],
            still_broken=[Share(*part["still_broken"]) for part in parts],
            renegotiations=[part["renegotiations"] for part in parts],
            flagged=[part["flagged"] for part in parts],
            waiting=self._waiting(ars),
        )

    def _customer_names(self, parts: Iterable[WeekPart]) -> dict[str, str]:
        """``{"helpdesk:organisation": name}``: the organisation's learnt name where there is
        one, else what the ticket named."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for part in parts:
            for groups in part["attainment"]["customer"].values():
                for key in groups:
                    helpdesk, _, customer = key.partition(":")
                    if helpdesk and customer:
                        wanted[helpdesk].add(customer)
        names: dict[str, str] = {}
        for helpdesk, ids in wanted.items():
            learnt = self._names.known_organisations(helpdesk, ids)
            names.update({f"{helpdesk}:{one}": learnt.get(one, one) for one in ids})
        return names

    def _waiting(self, ars: Sequence[WaitingAr]) -> list[WaitingOn]:
        by_helpdesk: dict[str, set[str]] = defaultdict(set)
        for ar in ars:
            for helpdesk, customer in ar.customers:
                by_helpdesk[helpdesk].add(customer)
        learnt = {
            helpdesk: self._names.known_organisations(helpdesk, ids)
            for helpdesk, ids in by_helpdesk.items()
        }
        shown: list[WaitingOn] = []
        for ar in ars:
            customers = {
                learnt[helpdesk].get(one, one) or NO_VALUE for helpdesk, one in ar.customers
            }
            page = self.pages.record(ar.system, ar.key, ar.url)
            shown.append(WaitingOn(ar.system, ar.key, page, ar.tickets, tuple(sorted(customers))))
        return shown
