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

from bridge.domain.insights import Week, last_completed_week, nearest_rank, ratio, weeks_until
from bridge.services.collaborators import Collaborators, Service
from bridge.services.names import Names
from bridge.services.pages import record_page
from bridge.store.insights import (
    ACCEPTS,
    REJECTS,
    RENEGOTIATION_STEPS,
    ClockVerdicts,
    InsightCounts,
    WaitingAr,
    waiting_ars,
)

KINDS = ("acknowledge", "reply", "patch")
DIMENSIONS = ("all", "severity", "region", "level", "customer")
MEASURES = ("acknowledge", "first_reply", "accepted_fix")
TOP_ARS = 10
NO_VALUE = "(none)"


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``: clocks met of those decided, first answers that accepted, …"""

    part: int = 0
    whole: int = 0

    @property
    def ratio(self) -> float | None:
        return ratio(self.part, self.whole)

    def __add__(self, other: Share) -> Share:
        return Share(self.part + other.part, self.whole + other.whole)


@dataclass(frozen=True)
class Spread:
    """Durations in seconds: how many, the median and the 90th percentile (nearest rank)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Spread:
        whole = [round(value) for value in seconds]
        return cls(len(whole), nearest_rank(whole, 50), nearest_rank(whole, 90))


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

    def report(self, weeks: int, now: dt.datetime) -> Report:
        """The ``weeks`` weeks ending with this one."""
        return self.for_weeks(weeks_until(now, weeks), now)

    def last_week(self, now: dt.datetime) -> Report:
        """The last completed week alone: figures that no longer change (``/metrics``)."""
        return self.for_weeks((last_completed_week(now),), now)

    def for_weeks(self, weeks: Sequence[Week], now: dt.datetime) -> Report:
        with self.transactions() as session:
            counts = InsightCounts(session, weeks, now)
            verdicts = counts.clock_verdicts()
            durations = {
                "acknowledge": counts.to_acknowledge(),
                "first_reply": counts.to_first_reply(),
                "accepted_fix": counts.to_accepted_fix(),
            }
            opened = counts.opened()
            steps = counts.steps(("close", ACCEPTS, REJECTS, *RENEGOTIATION_STEPS))
            first = counts.first_answers()
            ars = waiting_ars(session, TOP_ARS)
        size = len(weeks)
        per_step: dict[str, list[int]] = defaultdict(lambda: [0] * size)
        for found in steps:
            per_step[found.step][found.week] = found.count
        first_step: dict[str, list[int]] = defaultdict(lambda: [0] * size)
        for found in first:
            first_step[found.step][found.week] = found.count
        accepts, rejects = per_step[ACCEPTS], per_step[REJECTS]
        return Report(
            weeks=tuple(weeks),
            now=now,
            attainment=self._attainment(verdicts, size),
            durations={measure: _spreads(found, size) for measure, found in durations.items()},
            opened=[opened.get(index, 0) for index in range(size)],
            closed=per_step["close"],
            first_time_acceptance=[
                Share(first_step[ACCEPTS][i], first_step[ACCEPTS][i] + first_step[REJECTS][i])
                for i in range(size)
            ],
            still_broken=[Share(rejects[i], accepts[i] + rejects[i]) for i in range(size)],
            renegotiations=per_step["renegotiate"],
            flagged=per_step["plan_needs_renegotiation"],
            waiting=self._waiting(ars),
        )

    def _attainment(
        self, verdicts: list[ClockVerdicts], size: int
    ) -> dict[str, dict[tuple[str, str], list[Share]]]:
        customers = self._customer_names(verdicts)
        found: dict[str, dict[tuple[str, str], list[Share]]] = {
            dimension: defaultdict(lambda: [Share()] * size) for dimension in DIMENSIONS
        }
        for verdict in verdicts:
            share = Share(verdict.met, verdict.decided)
            groups = {
                "all": "all",
                "severity": f"sev {verdict.severity}" if verdict.severity else NO_VALUE,
                "region": verdict.region or NO_VALUE,
                "level": f"level {verdict.level}" if verdict.level else NO_VALUE,
                "customer": customers.get((verdict.helpdesk, verdict.customer), NO_VALUE),
            }
            for dimension, group in groups.items():
                weekly = found[dimension][verdict.kind, group]
                weekly[verdict.week] = weekly[verdict.week] + share
        return {dimension: dict(groups) for dimension, groups in found.items()}

    def _customer_names(
        self, verdicts: Iterable[ClockVerdicts]
    ) -> dict[tuple[str | None, str | None], str]:
        """The organisation's learnt name where there is one, else what the ticket named."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for verdict in verdicts:
            if verdict.helpdesk and verdict.customer:
                wanted[verdict.helpdesk].add(verdict.customer)
        names: dict[tuple[str | None, str | None], str] = {}
        for helpdesk, ids in wanted.items():
            learnt = self._names.known_organisations(helpdesk, ids)
            names.update({(helpdesk, one): learnt.get(one, one) for one in ids})
        return names

    def _waiting(self, ars: Iterable[WaitingAr]) -> list[WaitingOn]:
        shown: list[WaitingOn] = []
        for ar in ars:
            by_helpdesk: dict[str, set[str]] = defaultdict(set)
            for helpdesk, customer in ar.customers:
                by_helpdesk[helpdesk].add(customer)
            customers: set[str] = set()
            for helpdesk, ids in by_helpdesk.items():
                learnt = self._names.known_organisations(helpdesk, ids)
                customers |= {learnt.get(one, one) or NO_VALUE for one in ids}
            page = record_page(self.settings, ar.system, ar.key, ar.url)
            shown.append(WaitingOn(ar.system, ar.key, page, ar.tickets, tuple(sorted(customers))))
        return shown


def _spreads(found: Iterable[tuple[int, float]], size: int) -> list[Spread]:
    weekly: list[list[float]] = [[] for _ in range(size)]
    for week, seconds in found:
        weekly[week].append(seconds)
    return [Spread.of(values) for values in weekly]
