"""SLA policies and clocks: due, at risk, breached, paused while waiting on the customer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bridge.config.calendar_builder import region_calendar
from bridge.domain.enums import Severity
from bridge.domain.errors import IllegalTransition
from bridge.domain.sla import (
    ClockState,
    Measure,
    SlaPolicy,
    SlaStatus,
    SlaTarget,
    TargetKind,
    breaches,
    evaluate,
    evaluate_board,
    meet_clock,
    pause_clock,
    resume_clock,
    start_clock,
    start_clocks,
)

LONDON = ZoneInfo("Europe/London")
HOUR = timedelta(hours=1)
UK = region_calendar("uk")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
ACK_4H = SlaTarget(TargetKind.ACKNOWLEDGE, 4 * HOUR)


def test_seed_policy_acknowledges_sev1_in_4_hours_others_in_24_replies_in_a_business_day() -> None:
    policy = SlaPolicy.seed_default()

    sev1 = {t.kind: t for t in policy.targets_for(Severity.CRITICAL)}
    sev3 = {t.kind: t for t in policy.targets_for(Severity.MINOR)}

    assert sev1[TargetKind.ACKNOWLEDGE].within == 4 * HOUR
    assert sev1[TargetKind.PATCH].within == 24 * HOUR
    assert sev3[TargetKind.ACKNOWLEDGE].within == 24 * HOUR
    assert TargetKind.PATCH not in sev3
    reply = sev3[TargetKind.REPLY]
    assert (reply.within, reply.measure) == (timedelta(days=1), Measure.BUSINESS_DAYS)
    assert policy.at_risk_fraction == 0.75


def test_reply_within_one_business_day_is_due_the_same_time_next_business_day() -> None:
    friday_10 = datetime(2026, 3, 6, 10, 0, tzinfo=LONDON)
    clocks = start_clocks(
        SlaPolicy.seed_default(), Severity.MINOR, UK, subject_id="esc-1", now=friday_10
    )

    reply = next(c for c in clocks if c.target.kind is TargetKind.REPLY)

    assert reply.id == "esc-1:reply"
    assert reply.due_at == datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)


def test_clock_goes_due_then_at_risk_then_breached_and_a_breach_raises_the_level() -> None:
    clock = start_clock("esc-1:acknowledge", "esc-1", ACK_4H, UK, now=MONDAY_9)

    assert evaluate(clock, MONDAY_9 + 2 * HOUR).status is SlaStatus.DUE
    at_risk = evaluate(clock, MONDAY_9 + 3 * HOUR)
    breached = evaluate(clock, MONDAY_9 + 4 * HOUR)

    assert at_risk.status is SlaStatus.AT_RISK
    assert not at_risk.raise_level
    assert at_risk.breach_token is None
    assert breached.status is SlaStatus.BREACHED
    assert breached.raise_level
    assert breached.due_at == MONDAY_9 + 4 * HOUR


def test_at_risk_fraction_is_configurable() -> None:
    clock = start_clock("c", "esc-1", ACK_4H, UK, now=MONDAY_9, at_risk_fraction=0.5)

    assert evaluate(clock, MONDAY_9 + 2 * HOUR).status is SlaStatus.AT_RISK
    with pytest.raises(ValueError, match="at_risk_fraction"):
        SlaPolicy.seed_default(at_risk_fraction=1.5)


def test_breach_token_is_the_same_at_every_tick_so_the_level_is_raised_once() -> None:
    clock = start_clock("esc-1:acknowledge", "esc-1", ACK_4H, UK, now=MONDAY_9)
    other = start_clock("esc-2:acknowledge", "esc-2", ACK_4H, UK, now=MONDAY_9)

    tokens = {evaluate(clock, MONDAY_9 + n * HOUR).breach_token for n in (4, 5, 30)}

    assert tokens == {"sla-breach:esc-1:acknowledge:acknowledge"}
    assert evaluate(other, MONDAY_9 + 5 * HOUR).breach_token != tokens.pop()


def test_waiting_on_the_customer_pauses_the_clock_and_resuming_moves_the_due_time() -> None:
    clock = start_clock("c", "esc-1", ACK_4H, UK, now=MONDAY_9)

    pause_clock(clock, UK, now=MONDAY_9 + HOUR)
    assert evaluate(clock, MONDAY_9 + 10 * HOUR).status is SlaStatus.PAUSED
    assert clock.due_at is None
    resume_clock(clock, UK, now=MONDAY_9 + timedelta(days=1))  # Tuesday 09:00

    assert clock.state is ClockState.RUNNING
    assert clock.consumed == HOUR
    assert clock.due_at == datetime(2026, 3, 3, 12, 0, tzinfo=LONDON)
    assert clock.at_risk_at == datetime(2026, 3, 3, 11, 0, tzinfo=LONDON)


def test_pause_over_a_weekend_only_counts_business_time_before_it() -> None:
    friday_16 = datetime(2026, 3, 6, 16, 0, tzinfo=LONDON)
    clock = start_clock("c", "esc-1", ACK_4H, UK, now=friday_16)

    pause_clock(clock, UK, now=friday_16 + 40 * HOUR)  # Sunday 08:00
    resume_clock(clock, UK, now=datetime(2026, 3, 9, 9, 0, tzinfo=LONDON))

    assert clock.consumed == HOUR
    assert clock.due_at == datetime(2026, 3, 9, 12, 0, tzinfo=LONDON)


def test_a_clock_paused_after_its_budget_ran_out_still_shows_breached() -> None:
    clock = start_clock("c", "esc-1", ACK_4H, UK, now=MONDAY_9)

    pause_clock(clock, UK, now=MONDAY_9 + 5 * HOUR)

    result = evaluate(clock, MONDAY_9 + 6 * HOUR)
    assert result.status is SlaStatus.BREACHED
    assert result.due_at == MONDAY_9 + 4 * HOUR


def test_a_met_clock_stops_and_remembers_whether_it_was_late() -> None:
    on_time = start_clock("a", "esc-1", ACK_4H, UK, now=MONDAY_9)
    late = start_clock("b", "esc-1", ACK_4H, UK, now=MONDAY_9)

    meet_clock(on_time, now=MONDAY_9 + 4 * HOUR - timedelta(minutes=1))
    # The instant a clock falls due is its breach (what the tick acts on): met then is late.
    meet_clock(late, now=MONDAY_9 + 4 * HOUR)

    assert (evaluate(on_time, MONDAY_9 + 9 * HOUR).status, on_time.met_late) == (
        SlaStatus.MET,
        False,
    )
    assert late.met_late
    with pytest.raises(IllegalTransition, match="sla clock a is 'met': step 'pause'"):
        pause_clock(on_time, UK, now=MONDAY_9 + 9 * HOUR)


def test_board_evaluation_reports_only_breached_clocks_for_the_tick() -> None:
    clocks = [
        start_clock(f"esc-{n}:acknowledge", f"esc-{n}", ACK_4H, UK, now=MONDAY_9 + n * HOUR)
        for n in range(4)
    ]
    now = MONDAY_9 + 5 * HOUR

    statuses = [e.status for e in evaluate_board(clocks, now)]

    assert statuses == [SlaStatus.BREACHED, SlaStatus.BREACHED, SlaStatus.AT_RISK, SlaStatus.DUE]
    assert [e.subject_id for e in breaches(clocks, now)] == ["esc-0", "esc-1"]
