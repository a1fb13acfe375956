"""SLA policies and clocks (rule 7).

Clocks run on the business calendar of the ticket's region (a 24x7 contract uses a 24x7
calendar). Starting, pausing and resuming a clock walk the calendar once to fix its due and
at-risk instants; evaluating a clock at `now` is then two comparisons, so a board of thousands of
open clocks is evaluated without touching a calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bridge.domain.calendar import BusinessCalendar
from bridge.domain.enums import Severity
from bridge.domain.errors import IllegalTransition

DEFAULT_AT_RISK_FRACTION = 0.75


class TargetKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    REPLY = "reply"
    PATCH = "patch"


class Measure(StrEnum):
    BUSINESS_TIME = "business_time"
    # `within` counts days; each is one full business day of the calendar (e.g. 8 h for 9-17).
    BUSINESS_DAYS = "business_days"


@dataclass(frozen=True)
class SlaTarget:
    kind: TargetKind
    within: timedelta
    measure: Measure = Measure.BUSINESS_TIME
    # Every hour counts (000: "a patch … within 24 hours"), whatever the region's hours.
    wall_clock: bool = False

    def budget(self, calendar: BusinessCalendar) -> timedelta:
        """The business time this target allows on `calendar`."""
        if self.measure is Measure.BUSINESS_DAYS:
            return calendar.business_day * (self.within / timedelta(days=1))
        return self.within


def _seed_targets() -> dict[Severity, tuple[SlaTarget, ...]]:
    reply = SlaTarget(TargetKind.REPLY, timedelta(days=1), Measure.BUSINESS_DAYS)  # 000
    targets: dict[Severity, tuple[SlaTarget, ...]] = {
        # 004: sev1 acknowledged within 4 hours; 000: critical bug patched within 24 hours.
        Severity.CRITICAL: (
            SlaTarget(TargetKind.ACKNOWLEDGE, timedelta(hours=4)),
            reply,
            SlaTarget(TargetKind.PATCH, timedelta(hours=24)),
        ),
    }
    for severity in (Severity.MAJOR, Severity.MINOR, Severity.COSMETIC):
        targets[severity] = (SlaTarget(TargetKind.ACKNOWLEDGE, timedelta(hours=24)), reply)
    return targets


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per severity; an escalation keeps the policy it started with."""

    targets: Mapping[Severity, tuple[SlaTarget, ...]]
    at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION

    def __post_init__(self) -> None:
        if not 0 < self.at_risk_fraction <= 1:
            msg = f"at_risk_fraction must be in (0, 1], got {self.at_risk_fraction}"
            raise ValueError(msg)

    @classmethod
    def seed_default(cls, at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION) -> SlaPolicy:
        return cls(_seed_targets(), at_risk_fraction)

    def targets_for(self, severity: Severity) -> tuple[SlaTarget, ...]:
        return tuple(self.targets.get(severity, ()))


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    # The escalation was resolved, monitored, de-escalated or closed before the target was met:
    # nothing is owed any more, so the clock can never breach.
    STOPPED = "stopped"


class SlaStatus(StrEnum):
    DUE = "due"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    STOPPED = "stopped"


@dataclass
class SlaClock:
    """One target running for one subject (an escalation or ticket).

    `consumed` is the business time used before `running_since`; `due_at` and `at_risk_at` are
    set while running (and `due_at` is kept once the budget is spent).
    """

    id: str
    subject_id: str
    target: SlaTarget
    budget: timedelta
    at_risk_fraction: float
    started_at: datetime
    state: ClockState = ClockState.RUNNING
    consumed: timedelta = timedelta(0)
    running_since: datetime | None = None
    due_at: datetime | None = None
    at_risk_at: datetime | None = None
    met_at: datetime | None = None
    met_late: bool = False
    stopped_at: datetime | None = None

    @property
    def settled(self) -> bool:
        """Met or stopped: the clock owes nothing and never breaches again."""
        return self.state in (ClockState.MET, ClockState.STOPPED)

    @property
    def breach_token(self) -> str:
        """Stable per clock and target: the caller raises the level once per token."""
        return f"sla-breach:{self.id}:{self.target.kind.value}"


@dataclass(frozen=True, slots=True)
class Evaluation:
    clock_id: str
    subject_id: str
    status: SlaStatus
    due_at: datetime | None
    breach_token: str | None

    @property
    def raise_level(self) -> bool:
        """A breach asks the caller to raise the escalation's level (rule 7)."""
        return self.status is SlaStatus.BREACHED


def _schedule(clock: SlaClock, calendar: BusinessCalendar, now: datetime) -> None:
    clock.running_since = now
    left = clock.budget - clock.consumed
    if left > timedelta(0):
        clock.due_at = calendar.add_business_time(now, left)
    risk_left = clock.budget * clock.at_risk_fraction - clock.consumed
    clock.at_risk_at = calendar.add_business_time(now, max(risk_left, timedelta(0)))


def start_clock(
    clock_id: str,
    subject_id: str,
    target: SlaTarget,
    calendar: BusinessCalendar,
    *,
    now: datetime,
    at_risk_fraction: float = DEFAULT_AT_RISK_FRACTION,
) -> SlaClock:
    clock = SlaClock(
        id=clock_id,
        subject_id=subject_id,
        target=target,
        budget=target.budget(calendar),
        at_risk_fraction=at_risk_fraction,
        started_at=now,
    )
    _schedule(clock, calendar, now)
    return clock


def start_clocks(
    policy: SlaPolicy,
    severity: Severity,
    calendar: BusinessCalendar,
    *,
    subject_id: str,
    now: datetime,
) -> list[SlaClock]:
    """One clock per target of the severity, with ids `<subject>:<target kind>`."""
    return [
        start_clock(
            f"{subject_id}:{target.kind.value}",
            subject_id,
            target,
            calendar,
            now=now,
            at_risk_fraction=policy.at_risk_fraction,
        )
        for target in policy.targets_for(severity)
    ]


def _refuse(clock: SlaClock, step: str) -> IllegalTransition:
    return IllegalTransition("sla clock", clock.id, clock.state.value, step)


def pause_clock(clock: SlaClock, calendar: BusinessCalendar, *, now: datetime) -> None:
    """Waiting on the customer: stop consuming business time."""
    if clock.state is not ClockState.RUNNING or clock.running_since is None:
        raise _refuse(clock, "pause")
    clock.consumed += calendar.business_duration(clock.running_since, now)
    clock.state = ClockState.PAUSED
    clock.running_since = None
    clock.at_risk_at = None
    if clock.consumed < clock.budget:
        clock.due_at = None


def resume_clock(clock: SlaClock, calendar: BusinessCalendar, *, now: datetime) -> None:
    if clock.state is not ClockState.PAUSED:
        raise _refuse(clock, "resume")
    clock.state = ClockState.RUNNING
    _schedule(clock, calendar, now)


def meet_clock(clock: SlaClock, *, now: datetime) -> None:
    """The target was met (acknowledged, replied, patch delivered); late from the instant it
    fell due, which is also when it breaches."""
    if clock.settled:
        raise _refuse(clock, "meet")
    if clock.state is ClockState.RUNNING:
        clock.met_late = clock.due_at is not None and now >= clock.due_at
    else:
        clock.met_late = clock.consumed >= clock.budget
    clock.state = ClockState.MET
    clock.met_at = now
    clock.running_since = None


def stop_clock(clock: SlaClock, *, now: datetime) -> None:
    """Nothing is owed any more (the escalation is resolved or over): the clock never breaches
    again. Whether it had breached before stays readable: ``due_at`` before ``stopped_at``."""
    if clock.settled:
        raise _refuse(clock, "stop")
    clock.state = ClockState.STOPPED
    clock.stopped_at = now
    clock.running_since = None
    clock.at_risk_at = None


def evaluate(clock: SlaClock, now: datetime) -> Evaluation:
    """Where the clock stands at `now`; comparisons only, no calendar walk."""
    state = clock.state
    if state is ClockState.STOPPED:
        status = SlaStatus.STOPPED
    elif state is ClockState.MET:
        status = SlaStatus.MET
    elif state is ClockState.PAUSED:
        status = SlaStatus.BREACHED if clock.consumed >= clock.budget else SlaStatus.PAUSED
    elif clock.due_at is None or now >= clock.due_at:
        status = SlaStatus.BREACHED
    elif clock.at_risk_at is not None and now >= clock.at_risk_at:
        status = SlaStatus.AT_RISK
    else:
        status = SlaStatus.DUE
    token = clock.breach_token if status is SlaStatus.BREACHED else None
    return Evaluation(clock.id, clock.subject_id, status, clock.due_at, token)


def evaluate_board(clocks: Iterable[SlaClock], now: datetime) -> list[Evaluation]:
    return [evaluate(clock, now) for clock in clocks]


def breaches(clocks: Iterable[SlaClock], now: datetime) -> list[Evaluation]:
    """Only the breached clocks: what the SLA tick acts on."""
    return [e for e in evaluate_board(clocks, now) if e.status is SlaStatus.BREACHED]
