"""Whole escalations with the days passing over them: weekends, nights and holidays, the bridge
ticking every hour, and the level rising only for what was really owed and not given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bridge.domain.enums import PlanKind
from bridge.domain.sla import ClockState, TargetKind
from tests.procedure.world import World, local, world

UK = "Europe/London"
FRIDAY_3PM = local(2026, 11, 13, 15, tz=UK)
MONDAY = dt.date(2026, 11, 16)


def escalate_on_friday_afternoon(bridge: World) -> int:
    bridge.ticket("4711", region="uk", severity=1)
    escalation_id = bridge.escalate("4711")
    bridge.advance(dt.timedelta(minutes=30))
    bridge.acknowledge(escalation_id)
    return escalation_id


def fix_ship_and_accept(bridge: World, escalation_id: int) -> None:
    """Monday: the engineer takes it, the plan is agreed, the bug filed and the fix released;
    the customer accepts it on Tuesday morning."""
    bridge.assign(escalation_id)
    bridge.propose(escalation_id, PlanKind.PATCH)
    bridge.answer_plan(escalation_id, accepted=True)
    bridge.file_ar(escalation_id)
    bridge.advance_to(local(2026, 11, 16, 16, tz=UK))
    assert bridge.ship(escalation_id) == 1
    bridge.advance_to(local(2026, 11, 17, 10, tz=UK))
    bridge.customer_answers_notice(escalation_id, accept=True)
    assert bridge.state(escalation_id) == "monitoring"


def test_a_friday_escalation_answered_on_monday_and_fixed_never_climbs(tmp_path: Path) -> None:
    with world(tmp_path, FRIDAY_3PM) as bridge:
        escalation_id = escalate_on_friday_afternoon(bridge)
        bridge.advance_to(local(2026, 11, 16, 9, 30, tz=UK))  # the weekend passes
        bridge.status_update(escalation_id)  # Monday morning, a reply the customer sees
        fix_ship_and_accept(bridge, escalation_id)
        bridge.advance(dt.timedelta(weeks=2))

        assert bridge.breaches(escalation_id) == []
        assert bridge.level(escalation_id) == 1
        kinds = {clock.target.kind: clock for clock in bridge.clocks(escalation_id)}
        assert {kind: clock.state for kind, clock in kinds.items()} == {
            TargetKind.ACKNOWLEDGE: ClockState.MET,
            TargetKind.REPLY: ClockState.MET,
            TargetKind.PATCH: ClockState.MET,
        }
        assert not any(clock.met_late for clock in kinds.values())
        # The Slack message says so, and nothing in the thread speaks of a breach.
        head = bridge.outbox("upsert_escalation_message")[-1].payload["summary"]
        assert head["level"] == 1 and head["state"] == "monitoring"
        assert head["sla_due"] == {
            "acknowledge": "met on time",
            "reply": "met on time",
            "patch": "met on time",
        }
        replies = [row.payload["text"] for row in bridge.outbox("thread_reply")]
        assert not [text for text in replies if "breach" in text.lower()]


def test_with_no_reply_the_reply_clock_breaches_once_at_the_business_instant(
    tmp_path: Path,
) -> None:
    with world(tmp_path, FRIDAY_3PM) as bridge:
        escalation_id = escalate_on_friday_afternoon(bridge)
        # One business day of 9-17 from Friday 15:00: two hours on Friday, six on Monday.
        due = local(2026, 11, 16, 15, tz=UK)
        bridge.advance_to(due - dt.timedelta(minutes=1))
        assert bridge.level(escalation_id) == 1
        bridge.advance_to(due, every=dt.timedelta(minutes=1))
        [breach] = bridge.breaches(escalation_id)
        assert breach.at == due
        assert breach.cause == f"sla-breach:{escalation_id}:reply:reply"
        assert bridge.level(escalation_id) == 2

        fix_ship_and_accept(bridge, escalation_id)
        bridge.advance(dt.timedelta(weeks=2))
        assert len(bridge.breaches(escalation_id)) == 1
        assert bridge.level(escalation_id) == 2
        reply = next(c for c in bridge.clocks(escalation_id) if c.target.kind is TargetKind.REPLY)
        assert reply.state is ClockState.MET and reply.met_late  # the plan reached them late


def test_the_customers_next_message_is_owed_its_own_reply_within_a_business_day(
    tmp_path: Path,
) -> None:
    with world(tmp_path, FRIDAY_3PM) as bridge:
        escalation_id = escalate_on_friday_afternoon(bridge)
        bridge.comment("4711", "We replied on Friday, it still fails.", by_customer=False)
        bridge.advance_to(local(2026, 11, 16, 11, tz=UK))
        bridge.comment("4711", "Any news? Orders are still stuck.", by_customer=True)
        replies = [c for c in bridge.clocks(escalation_id) if c.target.kind is TargetKind.REPLY]
        assert [(c.id, c.state) for c in replies] == [
            (f"{escalation_id}:reply", ClockState.MET),
            (f"{escalation_id}:reply:2", ClockState.RUNNING),
        ]
        assert replies[1].due_at == local(2026, 11, 17, 11, tz=UK)
        # An agent's public reply on the helpdesk answers it.
        bridge.advance_to(local(2026, 11, 17, 10, tz=UK))
        bridge.comment("4711", "A fix is being tested.", by_customer=False)
        bridge.advance(dt.timedelta(days=3))
        assert bridge.breaches(escalation_id) == []
        thread = [row.payload["text"] for row in bridge.outbox("thread_reply")]
        assert (
            "The customer wrote on ticket 4711: a reply is due by Tue 17 Nov 11:00 UTC." in thread
        )


def test_christmas_and_the_boxing_day_holiday_hold_the_reply_clock(tmp_path: Path) -> None:
    christmas_eve = local(2026, 12, 24, 16, tz=UK)
    with world(tmp_path, christmas_eve) as bridge:
        bridge.ticket("900", region="uk", severity=2)
        escalation_id = bridge.escalate("900")
        bridge.acknowledge(escalation_id)
        # One hour on Thursday 24th; Friday 25th is Christmas, Monday 28th the Boxing Day
        # bank holiday (26th is a Saturday): the other seven hours fall on Tuesday 29th.
        reply = next(c for c in bridge.clocks(escalation_id) if c.target.kind is TargetKind.REPLY)
        assert reply.due_at == local(2026, 12, 29, 16, tz=UK)
        bridge.advance_to(local(2026, 12, 29, 15, 59, tz=UK))
        assert bridge.breaches(escalation_id) == []
        bridge.advance_to(local(2026, 12, 29, 16, tz=UK))
        assert len(bridge.breaches(escalation_id)) == 1


def test_waiting_on_the_customers_answer_pauses_the_patch_clock(tmp_path: Path) -> None:
    with world(tmp_path, FRIDAY_3PM) as bridge:
        escalation_id = escalate_on_friday_afternoon(bridge)
        bridge.assign(escalation_id)
        bridge.file_ar(escalation_id)  # Friday 15:30: a patch is owed by Saturday 15:30
        bridge.propose(escalation_id, PlanKind.PATCH)  # the customer is asked, and thinks
        patch = next(c for c in bridge.clocks(escalation_id) if c.target.kind is TargetKind.PATCH)
        assert patch.state is ClockState.PAUSED
        bridge.advance_to(local(2026, 11, 18, 9, tz=UK))
        assert bridge.breaches(escalation_id) == []
        bridge.answer_plan(escalation_id, accepted=True)
        patch = next(c for c in bridge.clocks(escalation_id) if c.target.kind is TargetKind.PATCH)
        assert patch.state is ClockState.RUNNING
        assert patch.due_at == local(2026, 11, 19, 9, tz=UK)  # the 24 hours, less none spent
        bridge.advance_to(local(2026, 11, 19, 9, tz=UK))
        assert [b.cause for b in bridge.breaches(escalation_id)] == [
            f"sla-breach:{escalation_id}:patch:patch"
        ]
