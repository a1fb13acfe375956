"""Evaluate a board of 10,000 open SLA clocks and compare with re-walking the calendars.

Run: python bench/sla.py [--clocks N] [--repeat R]

The board mixes the seed regions, severities and targets; a fifth of the clocks are paused
(waiting on the customer). Clocks precompute their due and at-risk instants when they start,
pause or resume, so evaluating the board is a comparison per clock. The naive baseline measures
each clock's consumed business time by walking its calendar from the clock's start to now.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bridge.config.calendar_builder import seed_calendars
from bridge.domain.calendar import BusinessCalendar, Interval
from bridge.domain.enums import Severity
from bridge.domain.sla import (
    ClockState,
    SlaClock,
    SlaPolicy,
    SlaStatus,
    evaluate_board,
    pause_clock,
    start_clocks,
)

NOW = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)  # just after Europe's clock change


def build_board(count: int, seed: int = 5) -> list[tuple[SlaClock, BusinessCalendar]]:
    rng = random.Random(seed)
    calendars = list(seed_calendars().values())
    policy = SlaPolicy.seed_default()
    board: list[tuple[SlaClock, BusinessCalendar]] = []
    while len(board) < count:
        calendar = rng.choice(calendars)
        opened = NOW - timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
        severity = Severity(rng.randint(1, 4))
        subject = f"esc-{len(board)}"
        for clock in start_clocks(policy, severity, calendar, subject_id=subject, now=opened):
            if rng.random() < 0.2:
                pause_clock(clock, calendar, now=opened + (NOW - opened) / 2)
            board.append((clock, calendar))
    return board[:count]


class UncachedCalendar(BusinessCalendar):
    """The same calendar without its per-day interval cache, like most hand-written walkers."""

    def intervals(self, day: date) -> tuple[Interval, ...]:
        self._days.pop(day, None)
        return super().intervals(day)


def uncached(calendar: BusinessCalendar) -> BusinessCalendar:
    return UncachedCalendar(
        calendar.tz,
        calendar.weekly_hours,
        calendar.holidays,
        always_open=calendar.always_open,
        name=calendar.name,
    )


def naive_status(clock: SlaClock, calendar: BusinessCalendar, now: datetime) -> SlaStatus:
    """What a clock without precomputed instants has to do: walk the calendar every tick."""
    if clock.state is ClockState.MET:
        return SlaStatus.MET
    consumed = clock.consumed
    if clock.state is ClockState.RUNNING and clock.running_since is not None:
        consumed += calendar.business_duration(clock.running_since, now)
    if consumed >= clock.budget:
        return SlaStatus.BREACHED
    if clock.state is ClockState.PAUSED:
        return SlaStatus.PAUSED
    if consumed >= clock.budget * clock.at_risk_fraction:
        return SlaStatus.AT_RISK
    return SlaStatus.DUE


def best_of(repeat: int, run: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate a board of open SLA clocks.")
    parser.add_argument("--clocks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    board = build_board(args.clocks)
    build_seconds = time.perf_counter() - started
    clocks = [clock for clock, _ in board]

    precomputed = [e.status for e in evaluate_board(clocks, NOW)]
    naive = [naive_status(clock, calendar, NOW) for clock, calendar in board]
    mismatches = sum(a is not b for a, b in zip(precomputed, naive, strict=True))

    plain = {id(cal): uncached(cal) for _, cal in board}
    cold_board = [(clock, plain[id(cal)]) for clock, cal in board]

    fast = best_of(args.repeat, lambda: evaluate_board(clocks, NOW))
    slow = best_of(args.repeat, lambda: [naive_status(c, cal, NOW) for c, cal in board])
    cold = best_of(args.repeat, lambda: [naive_status(c, cal, NOW) for c, cal in cold_board])

    counts = {status.value: precomputed.count(status) for status in SlaStatus}
    print(f"clocks: {len(clocks):,} on {len(seed_calendars())} seed calendars; {counts}")
    print(f"start + pause the board (walks calendars once): {build_seconds * 1e3:8.1f} ms")
    print(f"{'method':<44}{'board ms':>10}{'per clock us':>14}{'ratio':>8}")
    rows = [
        ("precomputed due/at-risk instants", fast),
        ("naive: walk calendar per clock (day cache)", slow),
        ("naive: walk calendar per clock (no cache)", cold),
    ]
    for label, seconds in rows:
        per_clock = seconds / len(clocks) * 1e6
        print(f"{label:<44}{seconds * 1e3:>10.2f}{per_clock:>14.2f}{seconds / fast:>7.1f}x")
    print(f"status mismatches between precomputed and naive: {mismatches}")


if __name__ == "__main__":
    main()
