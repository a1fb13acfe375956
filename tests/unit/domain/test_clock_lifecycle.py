"""The life of an escalation's clocks: what meets, starts, pauses, resumes and stops each one."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bridge.config.calendar_builder import region_calendar
from bridge.domain.calendar import BusinessCalendar
from bridge.domain.clocks import (
    ClockEvent,
    ClockRules,
    Shown,
    bug_filed,
    describe,
    follow,
    latest,
    shown,
)
from bridge.domain.enums import EntryPoint, EscalationState, PlanKind, PlanStatus, ReasonCategory
from bridge.domain.records import ActionPlan, Escalation
from bridge.domain.sla import ClockState, Measure, SlaTarget, TargetKind, breaches, start_clock

LONDON = ZoneInfo("Europe/London")
UK = region_calendar("uk")
RULES = ClockRules(business=UK, wall=BusinessCalendar.twenty_four_seven())
FRIDAY_3PM = datetime(2026, 3, 6, 15, 0, tzinfo=LONDON)
ACK = SlaTarget(TargetKind.ACKNOWLEDGE, timedelta(hours=4))
REPLY = SlaTarget(TargetKind.REPLY, timedelta(days=1), Measure.BUSINESS_DAYS)
PATCH = SlaTarget(TargetKind.PATCH, timedelta(hours=24), wall_clock=True)


def escalation(state: EscalationState = EscalationState.ACTIVE) -> Escalation:
    return Escalation(
        id="7",
        ticket_id="4711",
        reason=ReasonCategory.DATA_LOSS,
        reason_text="",
        requested_by="U1",
        entry_point=EntryPoint.SLACK,
        opened_at=FRIDAY_3PM,
        state=state,
    )


def opened() -> list:
    return [start_clock(f"7:{t.kind.value}", "7", t, UK, now=FRIDAY_3PM) for t in (ACK, REPLY)]


def test_acknowledging_meets_only_the_acknowledge_clock() -> None:
    clocks = opened()
    changed, started = follow(
        clocks, escalation(), [ClockEvent.ACKNOWLEDGED], RULES, now=FRIDAY_3PM + timedelta(hours=1)
    )
    assert [c.target.kind for c in changed] == [TargetKind.ACKNOWLEDGE]
    assert started == []
    ack, reply = clocks
    assert ack.state is ClockState.MET and not ack.met_late
    assert reply.state is ClockState.RUNNING


def test_a_response_the_customer_sees_on_monday_meets_friday_afternoons_reply_clock() -> None:
    clocks = opened()
    follow(clocks, escalation(), [ClockEvent.ACKNOWLEDGED], RULES, now=FRIDAY_3PM)
    monday_10am = datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
    follow(clocks, escalation(), [ClockEvent.CUSTOMER_TOLD], RULES, now=monday_10am)
    reply = latest(clocks)[TargetKind.REPLY]
    assert reply.state is ClockState.MET and not reply.met_late
    assert shown(reply, monday_10am) is Shown.MET_ON_TIME
    assert breaches(clocks, monday_10am + timedelta(days=30)) == []


def test_the_customers_next_message_starts_the_next_reply_clock_once() -> None:
    clocks = opened()
    monday_10am = datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
    follow(clocks, escalation(), [ClockEvent.CUSTOMER_TOLD], RULES, now=monday_10am)
    later = monday_10am + timedelta(hours=2)
    _, started = follow(clocks, escalation(), [ClockEvent.CUSTOMER_WROTE], RULES, now=later)
    assert [c.id for c in started] == ["7:reply:2"]
    # One business day (8 h on 9-17) from Monday 12:00 is Tuesday 12:00.
    assert started[0].due_at == datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
    # Writing again before anyone answered asks nothing new: one reply is owed.
    _, again = follow(
        [*clocks, *started], escalation(), [ClockEvent.CUSTOMER_WROTE], RULES, now=later
    )
    assert again == []


@pytest.mark.parametrize(
    "state", [EscalationState.MONITORING, EscalationState.DE_ESCALATED, EscalationState.CLOSED]
)
def test_every_clock_still_owing_stops_once_the_escalation_is_resolved(state) -> None:
    clocks = opened()
    resolved = escalation(state)
    changed, _ = follow(clocks, resolved, [], RULES, now=FRIDAY_3PM + timedelta(hours=1))
    assert {c.state for c in changed} == {ClockState.STOPPED}
    weeks_later = FRIDAY_3PM + timedelta(weeks=3)
    assert breaches(clocks, weeks_later) == []
    assert {shown(c, weeks_later) for c in clocks} == {Shown.STOPPED}
    # A resolved escalation's customer writing starts no reply clock.
    _, started = follow(clocks, resolved, [ClockEvent.CUSTOMER_WROTE], RULES, now=weeks_later)
    assert started == []


def test_waiting_on_the_customers_answer_to_the_plan_pauses_acknowledge_not_reply() -> None:
    clocks = opened()
    waiting = escalation(EscalationState.PLAN_PROPOSED)
    changed, _ = follow(clocks, waiting, [], RULES, now=FRIDAY_3PM + timedelta(hours=1))
    assert [c.target.kind for c in changed] == [TargetKind.ACKNOWLEDGE]
    ack = latest(clocks)[TargetKind.ACKNOWLEDGE]
    assert ack.state is ClockState.PAUSED and ack.consumed == timedelta(hours=1)
    # The answer came a week later: three business hours were left, and now run again.
    answered = escalation(EscalationState.PLAN_ACCEPTED)
    monday = datetime(2026, 3, 16, 9, 0, tzinfo=LONDON)
    follow(clocks, answered, [], RULES, now=monday)
    assert ack.state is ClockState.RUNNING
    assert ack.due_at == monday + timedelta(hours=3)


def test_an_agreed_wait_pauses_until_its_end_then_the_clocks_run_again() -> None:
    clocks = opened()
    agreed = escalation()
    agreed.waiting_until = datetime(2026, 3, 11, 0, 0, tzinfo=LONDON)
    follow(clocks, agreed, [], RULES, now=FRIDAY_3PM + timedelta(hours=2))
    ack = latest(clocks)[TargetKind.ACKNOWLEDGE]
    assert ack.state is ClockState.PAUSED
    follow(clocks, agreed, [], RULES, now=datetime(2026, 3, 10, 16, 0, tzinfo=LONDON))
    assert ack.state is ClockState.PAUSED
    follow(clocks, agreed, [], RULES, now=datetime(2026, 3, 11, 9, 0, tzinfo=LONDON))
    assert ack.state is ClockState.RUNNING


def test_the_patch_clock_starts_when_the_bug_is_filed_and_a_release_meets_it() -> None:
    clocks = opened()
    filed_at = datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
    patch = bug_filed(clocks, escalation(), PATCH, RULES, now=filed_at)
    assert patch is not None and patch.due_at == filed_at + timedelta(hours=24)
    assert bug_filed([*clocks, patch], escalation(), PATCH, RULES, now=filed_at) is None
    follow([*clocks, patch], escalation(), [ClockEvent.FIX_AVAILABLE], RULES, now=filed_at)
    assert patch.state is ClockState.MET


def test_a_workaround_the_customer_accepted_already_made_a_fix_available() -> None:
    accepted = escalation(EscalationState.PLAN_ACCEPTED)
    accepted.plans.append(
        ActionPlan(
            "plan-1", "7", PlanKind.WORKAROUND, "restart nightly", status=PlanStatus.ACCEPTED
        )
    )
    patch = bug_filed(opened(), accepted, PATCH, RULES, now=FRIDAY_3PM)
    assert patch is not None and patch.state is ClockState.MET
    release = escalation(EscalationState.PLAN_ACCEPTED)
    release.plans.append(
        ActionPlan(
            "plan-1",
            "7",
            PlanKind.PATCH,
            "hotfix",
            delivery_date=date(2026, 3, 10),
            status=PlanStatus.ACCEPTED,
        )
    )
    running = bug_filed(opened(), release, PATCH, RULES, now=FRIDAY_3PM)
    assert running is not None and running.state is ClockState.RUNNING


def test_a_clock_reads_as_people_say_it() -> None:
    clocks = opened()
    ack, reply = clocks
    # Friday 15:00 + 4 business hours: 2 on Friday, 2 on Monday from 9:00.
    assert describe(ack, FRIDAY_3PM) == "running, due Mon 09 Mar 11:00 UTC"
    at_risk = datetime(2026, 3, 9, 10, 30, tzinfo=LONDON)
    assert describe(ack, at_risk) == "at risk, due Mon 09 Mar 11:00 UTC"
    late = datetime(2026, 3, 9, 11, 30, tzinfo=LONDON)
    follow(clocks, escalation(), [ClockEvent.ACKNOWLEDGED], RULES, now=late)
    assert describe(ack, FRIDAY_3PM + timedelta(days=9)) == "met late"
    assert describe(reply, datetime(2026, 3, 9, 16, 0, tzinfo=LONDON)).startswith("breached")
