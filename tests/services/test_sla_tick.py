"""The minute tick: a breach raises the level exactly once, however many workers tick."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from bridge.config import load_settings
from bridge.domain.enums import CommunicationMode
from bridge.domain.records import CommunicationPlan
from bridge.runtime import Runtime, bootstrap
from bridge.services.workflow import procedure
from bridge.services.workflow.steps import agree_communication, status_update
from bridge.store import tables
from bridge.store.escalations import EscalationStore
from tests.procedure.world import TRIAGE

from .conftest import MONDAY_10AM, add_ticket
from .test_escalation_service import request

AFTER_ACK_DUE = MONDAY_10AM + dt.timedelta(hours=5)


def level_of(runtime: Runtime, escalation_id: int) -> int:
    with runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None
        return row.level


def count_outbox(runtime: Runtime, key_part: str) -> int:
    with runtime.sessions() as session:
        return (
            session.scalar(
                select(func.count()).where(tables.OutboxRow.idempotency_key.contains(key_part))
            )
            or 0
        )


def test_a_clock_before_its_due_time_raises_nothing(runtime: Runtime) -> None:
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    assert runtime.services.sla.sla_tick(MONDAY_10AM + dt.timedelta(hours=3)) == 0
    assert level_of(runtime, escalation_id) == 1


def test_a_breach_raises_the_level_and_tells_the_thread(runtime: Runtime) -> None:
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    assert runtime.services.sla.sla_tick(AFTER_ACK_DUE) == 1
    assert level_of(runtime, escalation_id) == 2
    assert count_outbox(runtime, f"chat:{escalation_id}:reply:level-2") == 1
    with runtime.sessions() as session:
        [raised] = [
            e
            for e in EscalationStore(session).history(escalation_id)
            if e.to_state and e.step == "raise_level"
        ]
    assert raised.actor == "sla-engine"
    assert raised.cause == f"sla-breach:{escalation_id}:acknowledge:acknowledge"
    # The next minutes find the same breach again and do nothing more.
    assert runtime.services.sla.sla_tick(AFTER_ACK_DUE + dt.timedelta(minutes=1)) == 0
    assert level_of(runtime, escalation_id) == 2


def test_an_acknowledged_escalation_does_not_breach(runtime: Runtime) -> None:
    add_ticket(runtime)
    service = runtime.services.escalations
    escalation_id = service.request(request(), MONDAY_10AM)
    service.acknowledge(
        escalation_id, by="U-BOB", cause="slack:button", now=MONDAY_10AM + dt.timedelta(hours=1)
    )
    assert runtime.services.sla.sla_tick(AFTER_ACK_DUE) == 0
    assert level_of(runtime, escalation_id) == 1


def test_two_workers_racing_on_one_breach_raise_the_level_once(runtime: Runtime) -> None:
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    workers = [bootstrap(load_settings()) for _ in range(2)]
    barrier = threading.Barrier(2)
    handled: list[int] = []

    def tick(worker: Runtime) -> None:
        barrier.wait()
        handled.append(worker.services.sla.sla_tick(AFTER_ACK_DUE))

    threads = [threading.Thread(target=tick, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for worker in workers:
        worker.close()
    assert sorted(handled) == [0, 1]
    assert level_of(runtime, escalation_id) == 2
    assert count_outbox(runtime, f"chat:{escalation_id}:reply:level-2") == 1


def test_the_daily_digest_goes_out_once_a_day_at_its_time(runtime: Runtime) -> None:
    add_ticket(runtime)
    runtime.services.escalations.request(request(), MONDAY_10AM)
    eight_am = dt.datetime(2026, 11, 17, 8, 0, tzinfo=dt.UTC)
    assert runtime.services.sla.digest_tick(eight_am) is False
    assert runtime.services.sla.digest_tick(eight_am + dt.timedelta(hours=1)) is True
    assert runtime.services.sla.digest_tick(eight_am + dt.timedelta(hours=1, minutes=1)) is False
    with runtime.sessions() as session:
        [post] = session.scalars(
            select(tables.OutboxRow).where(tables.OutboxRow.operation == "channel_post")
        ).all()
    assert post.payload["channel"] == "#escalations"
    assert post.payload["text"].startswith("Daily digest 2026-11-17: 1 open escalation(s)")
    assert "SLA breached" in post.payload["text"]


def test_a_communication_plan_makes_status_updates_due_and_reminds_once(runtime) -> None:
    add_ticket(runtime)
    service = runtime.services.escalations
    escalation_id = service.request(request(), MONDAY_10AM)
    plan = CommunicationPlan(CommunicationMode.CONFERENCE_CALL, dt.timedelta(hours=4), ("cto",))
    due = agree_communication(
        runtime.services.steps, escalation_id, plan, by="U-ANNA", cause="t", now=MONDAY_10AM
    )
    assert due == MONDAY_10AM + dt.timedelta(hours=4)
    assert runtime.services.sla.status_reminders(due - dt.timedelta(minutes=1)) == 0
    assert runtime.services.sla.status_reminders(due) == 1
    assert runtime.services.sla.status_reminders(due + dt.timedelta(minutes=1)) == 0
    status_update(
        runtime.services.steps, escalation_id, by="U-ANNA", text="patch in QA", cause="t2", now=due
    )
    assert runtime.services.sla.status_reminders(due + dt.timedelta(hours=1)) == 0
    assert runtime.services.sla.status_reminders(due + dt.timedelta(hours=4)) == 1
    assert count_outbox(runtime, "status-due") == 2


def test_an_acknowledgement_is_in_the_audit_trail_saying_whether_it_was_late(runtime) -> None:
    add_ticket(runtime)
    service = runtime.services.escalations
    escalation_id = service.request(request(), MONDAY_10AM)
    service.acknowledge(escalation_id, by="U-BOB", cause="slack:ack", now=AFTER_ACK_DUE)
    with runtime.sessions() as session:
        [event] = [
            e for e in EscalationStore(session).history(escalation_id) if e.step == "acknowledge"
        ]
    assert (event.actor, event.cause, event.note) == ("U-BOB", "slack:ack", "after the SLA")


def test_the_digest_lists_level_state_engineer_each_clock_and_what_is_overdue(runtime) -> None:
    add_ticket(runtime)
    add_ticket(runtime, "4712")
    late = runtime.services.escalations.request(request(), MONDAY_10AM)
    fresh = runtime.services.escalations.request(request(ticket="4712"), AFTER_ACK_DUE)
    tuesday_9am = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)
    assert runtime.services.sla.digest_tick(tuesday_9am) is True
    with runtime.sessions() as session:
        [post] = session.scalars(
            select(tables.OutboxRow).where(tables.OutboxRow.operation == "channel_post")
        ).all()
    lines = post.payload["text"].splitlines()
    [late_line] = [line for line in lines if f"escalation {late} " in line]
    [fresh_line] = [line for line in lines if f"escalation {fresh} " in line]
    assert "level 1, requested, engineer unassigned" in late_line
    assert "overdue: acknowledge SLA breached (due Mon 16 Nov 19:00 UTC)" in late_line
    assert "reply at risk, due Tue 17 Nov 15:00 UTC" in late_line
    assert "acknowledge at risk, due Tue 17 Nov 15:00 UTC" in fresh_line
    assert "overdue: nothing" in fresh_line


def test_two_workers_plan_one_digest_per_business_day_and_none_on_days_off(runtime) -> None:
    """Two runtimes on one database tick at the same frozen minute; Thanksgiving (26 Nov) and
    the weekend are not business days of us-eastern, the digest's default calendar."""
    add_ticket(runtime)
    runtime.services.escalations.request(request(), MONDAY_10AM)
    workers = [bootstrap(load_settings()) for _ in range(2)]
    days = {20: 1, 21: 0, 22: 0, 23: 1, 26: 0, 27: 1}  # Fri, Sat, Sun, Mon, Thanksgiving, Fri
    planned: dict[int, list[bool]] = {}
    try:
        for day in days:
            now = dt.datetime(2026, 11, day, 9, 0, tzinfo=dt.UTC)
            barrier = threading.Barrier(2)
            results: list[bool] = []

            def tick(worker: Runtime, at: dt.datetime = now, wait=barrier, out=results) -> None:
                wait.wait()
                out.append(worker.performers.periodic["daily_digest"](at))

            threads = [threading.Thread(target=tick, args=(worker,)) for worker in workers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            # A minute later both tick again: the day's digest is not planned twice.
            results += [
                w.performers.periodic["daily_digest"](now + dt.timedelta(minutes=1))
                for w in workers
            ]
            planned[day] = results
    finally:
        for worker in workers:
            worker.close()
    assert {day: sum(results) for day, results in planned.items()} == days
    with runtime.sessions() as session:
        keys = sorted(
            session.scalars(
                select(tables.OutboxRow.idempotency_key).where(
                    tables.OutboxRow.operation == "channel_post"
                )
            )
        )
    assert [key.split(":")[-1] for key in keys] == ["2026-11-20", "2026-11-23", "2026-11-27"]


def test_the_digest_shows_an_engineer_named_by_hand_as_text(runtime) -> None:
    """An engineer typed through the API (not a Slack id) is outside text: it cannot ping."""
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(triage=TRIAGE), MONDAY_10AM)
    procedure.assign_engineer(
        runtime.services.steps,
        escalation_id,
        engineer="<!channel> Erin",
        by="U-ANNA",
        cause="api:assign",
        now=MONDAY_10AM,
    )
    assert runtime.services.sla.digest_tick(dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC))
    with runtime.sessions() as session:
        [post] = session.scalars(
            select(tables.OutboxRow).where(tables.OutboxRow.operation == "channel_post")
        ).all()
    assert "engineer &lt;!channel&gt; Erin," in post.payload["text"]
    assert "<!channel>" not in post.payload["text"]
