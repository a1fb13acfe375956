"""No answer: reminders on the configured days, then closure per policy. After acceptance: the
monitoring period (the configured one, or one agreed in Slack), a recurrence that reopens, and
the manager's close."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.domain.errors import MonitoringNotOver
from bridge.domain.resolution import Recurrence
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.closing.links import ACCEPT
from bridge.store import tables

from .conftest import deliver, planned, state_of
from .pages import shipped_to


def sent_at(runtime: Runtime) -> dt.datetime:
    with runtime.sessions() as session:
        notice = session.query(tables.Notice).one()
        return notice.created_at


def customer_replies(runtime: Runtime) -> list[str]:
    return [row.payload["text"] for row in planned(runtime, "public_reply")]


def test_no_answer_gets_one_reminder_per_configured_day_then_is_closed_per_policy(
    runtime: Runtime,
) -> None:
    escalation_id = shipped_to(runtime, "801")
    start = sent_at(runtime)
    closure_tick = runtime.services.reminders.closure_tick

    assert closure_tick(start + dt.timedelta(days=2)) == 0
    assert closure_tick(start + dt.timedelta(days=3)) == 1
    assert closure_tick(start + dt.timedelta(days=3, minutes=1)) == 0  # once per day
    assert closure_tick(start + dt.timedelta(days=7)) == 1
    reminders = [text for text in customer_replies(runtime) if text.startswith("A reminder")]
    assert len(reminders) == 2
    assert all("Accept: " in text and "Still broken: " in text for text in reminders)

    assert closure_tick(start + dt.timedelta(days=21)) == 1
    assert closure_tick(start + dt.timedelta(days=21, minutes=1)) == 0

    assert state_of(runtime, escalation_id) == "closed"
    assert any("we are closing it" in text for text in customer_replies(runtime))
    notes = [row.payload["text"] for row in planned(runtime, "internal_note")]
    assert any("Outcome: bug in the tracker (github:acme/app#12)" in note for note in notes)


def test_an_answered_notice_gets_no_reminder(runtime: Runtime) -> None:
    shipped_to(runtime, "802")
    start = sent_at(runtime)
    with runtime.sessions() as session:
        notice_id = session.query(tables.Notice.id).scalar()
    runtime.services.closure.record_answer(notice_id, ACCEPT, by="customer", now=start)

    assert runtime.services.reminders.closure_tick(start + dt.timedelta(days=30)) == 0


def test_the_same_problem_during_monitoring_reopens_the_escalation(runtime: Runtime) -> None:
    escalation_id = shipped_to(runtime, "803")
    start = sent_at(runtime)
    with runtime.sessions() as session:
        notice_id = session.query(tables.Notice.id).scalar()
    runtime.services.closure.record_answer(notice_id, ACCEPT, by="customer", now=start)

    result = runtime.services.monitoring.same_problem(
        escalation_id, ticket_ref="zendesk:900", by="U0ERIN0001", now=start
    )

    assert result is Recurrence.REOPENED
    assert state_of(runtime, escalation_id) == "active"
    replies = [row.payload["text"] for row in planned(runtime, "thread_reply")]
    assert any("same problem during monitoring" in text for text in replies)
    assert any(
        "recurred during monitoring" in r.payload["text"] for r in planned(runtime, "comment")
    )


def test_after_monitoring_the_thread_is_told_once_and_the_manager_closes(
    runtime: Runtime,
) -> None:
    escalation_id = shipped_to(runtime, "804")
    start = sent_at(runtime)
    with runtime.sessions() as session:
        notice_id = session.query(tables.Notice.id).scalar()
    runtime.services.closure.record_answer(notice_id, ACCEPT, by="customer", now=start)
    monitoring = runtime.services.monitoring
    with pytest.raises(MonitoringNotOver):
        monitoring.close_after_monitoring(
            escalation_id, by="U0MANAGER1", agreement="call", now=start
        )

    later = start + dt.timedelta(days=14, minutes=1)
    assert monitoring.monitoring_tick(later) == 1
    assert monitoring.monitoring_tick(later) == 0
    monitoring.close_after_monitoring(
        escalation_id, by="U0MANAGER1", agreement="agreed on the call", now=later
    )

    assert state_of(runtime, escalation_id) == "closed"
    replies = [row.payload["text"] for row in planned(runtime, "thread_reply")]
    assert any(text.startswith("Monitoring ended") for text in replies)
    assert any("customer satisfied (agreed on the call)" in text for text in replies)


def waiting_on_the_ar(runtime: Runtime) -> list[list[str]]:
    """Each waiting list planned for the AR, oldest first: the tickets it shows."""
    return [
        [t["ticket"] for t in row.payload["tickets"]]
        for row in planned(runtime, "upsert_waiting_list")
        if (row.target, row.payload["ref"]) == ("github", "acme/app#12")
    ]


def test_the_ars_waiting_list_follows_acceptance_recurrence_and_no_answer(
    runtime: Runtime,
) -> None:
    escalation_id = shipped_to(runtime, "805")
    start = sent_at(runtime)
    with runtime.sessions() as session:
        notice_id = session.query(tables.Notice.id).scalar()
    runtime.services.closure.record_answer(notice_id, ACCEPT, by="customer", now=start)
    assert waiting_on_the_ar(runtime) == [[]]

    runtime.services.monitoring.same_problem(
        escalation_id, ticket_ref="zendesk:900", by="U0ERIN0001", now=start
    )
    assert waiting_on_the_ar(runtime) == [[], ["zendesk:805"]]
    [reopened] = planned(runtime, "upsert_waiting_list")[1:]
    assert reopened.payload["tickets"][0]["customer"] == "Customer Ltd (ops@customer.example)"
    assert reopened.idempotency_key.startswith("github:acme/app#12:waiting:")


def test_closing_for_no_answer_empties_the_ars_waiting_list(runtime: Runtime) -> None:
    shipped_to(runtime, "806")
    start = sent_at(runtime)
    runtime.services.reminders.closure_tick(start + dt.timedelta(days=21))

    assert waiting_on_the_ar(runtime) == [[]]


def agreed_in_slack(runtime: Runtime, escalation_id: int, until: dt.date, agreement: str) -> str:
    """The manager's **Monitoring period** form, as Slack's listener stores it."""
    form = {
        "step": "monitoring_period",
        "escalation_id": str(escalation_id),
        "user": "U0MANAGER1",
        "answers": {"until": until.isoformat(), "agreement": agreement},
    }
    return deliver(runtime, "slack", "step.monitoring_period", form)


def test_a_monitoring_period_agreed_in_slack_is_the_one_the_escalation_is_watched_for(
    runtime: Runtime,
) -> None:
    escalation_id = shipped_to(runtime, "807")
    too_early = agreed_in_slack(runtime, escalation_id, utcnow().date(), "Dana: a day is enough")
    assert too_early == "done"
    [refusal] = [row.payload["text"] for row in planned(runtime, "direct_message")]
    assert refusal == (
        f"Could not agree the monitoring period: escalation {escalation_id} is not being monitored"
    )
    with runtime.sessions() as session:
        notice_id = session.query(tables.Notice.id).scalar()
    runtime.services.closure.record_answer(notice_id, ACCEPT, by="customer", now=utcnow())

    today = utcnow().date()
    agreed_in_slack(runtime, escalation_id, today + dt.timedelta(days=2), "Dana: <two days>")
    end = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(), dt.UTC)
    when = f"{end:%Y-%m-%d} 00:00 UTC"
    replies = [row.payload["text"] for row in planned(runtime, "thread_reply")]
    assert (
        f"Monitoring until {when}, agreed with the customer (<@U0MANAGER1>): Dana: &lt;two days&gt;"
    ) in replies
    assert (
        f"As agreed with you, we monitor the fix until {when}; then, with your agreement, the "
        "escalation is closed."
    ) in customer_replies(runtime)

    monitoring = runtime.services.monitoring
    with pytest.raises(MonitoringNotOver, match="monitored until"):
        monitoring.close_after_monitoring(
            escalation_id, by="U0MANAGER1", agreement="call", now=end - dt.timedelta(minutes=1)
        )
    assert monitoring.monitoring_tick(end - dt.timedelta(minutes=1)) == 0
    assert monitoring.monitoring_tick(end) == 1  # not the configured 14 days: the agreed end
    monitoring.close_after_monitoring(
        escalation_id, by="U0MANAGER1", agreement="agreed on the call", now=end
    )
    assert state_of(runtime, escalation_id) == "closed"
