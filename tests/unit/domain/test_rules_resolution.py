"""Rules 10 and 11, and 9's closing steps: de-escalation, monitoring, outcomes, audit, notices."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bridge.domain.enums import (
    Channel,
    EscalationState,
    NoticeKind,
    Outcome,
)
from bridge.domain.errors import (
    DeEscalationBlocked,
    MonitoringNotOver,
    MonitoringPeriodRefused,
    OutcomeIncomplete,
)
from bridge.domain.plans import (
    activate,
    ship_fix,
)
from bridge.domain.records import (
    Agreement,
    Escalation,
    Notice,
    OutcomeRecord,
)
from bridge.domain.resolution import (
    Recurrence,
    agree_monitoring_period,
    close,
    customer_accepts,
    customer_rejects,
    de_escalate,
    notify_customer,
    record_rca_progress,
    report_recurrence,
)

HOUR = timedelta(hours=1)
SATISFIED = OutcomeRecord(Outcome.CUSTOMER_SATISFIED)


@pytest.mark.parametrize(
    ("plan_accepted", "rca_on_track", "agreed", "missing"),
    [
        (False, True, True, "no action plan has been accepted"),
        (True, False, True, "root-cause analysis is not recorded as on track"),
        (True, True, False, "agreement to de-escalate is not documented"),
    ],
)
def test_de_escalation_requires_plan_accepted_rca_on_track_and_agreement_recorded(
    request: pytest.FixtureRequest,
    now: datetime,
    plan_accepted: bool,
    rca_on_track: bool,
    agreed: bool,
    missing: str,
) -> None:
    escalation: Escalation = request.getfixturevalue("with_plan" if plan_accepted else "active")
    record_rca_progress(escalation, on_track=rca_on_track, actor="dev", cause="cmd", now=now)
    agreement = Agreement("ops@customer.example", "happy to de-escalate", now) if agreed else None
    state = escalation.state

    with pytest.raises(DeEscalationBlocked, match=missing):
        de_escalate(escalation, agreement=agreement, actor="cse:ana", cause="cmd", now=now)
    assert escalation.state is state


def test_de_escalation_with_all_three_conditions_is_recorded(
    with_plan: Escalation, now: datetime
) -> None:
    record_rca_progress(with_plan, on_track=True, actor="dev", cause="cmd", now=now)
    agreement = Agreement("ops@customer.example", "agreed on the call", now)

    de_escalate(with_plan, agreement=agreement, actor="cse:ana", cause="cmd", now=now)

    assert with_plan.state is EscalationState.DE_ESCALATED
    assert with_plan.de_escalation == agreement
    assert not with_plan.is_open


def _monitoring(escalation: Escalation, now: datetime, period: timedelta) -> Escalation:
    """Ship the accepted plan's fix and let the customer accept it."""
    ship_fix(escalation, actor="jira", cause="jira:version-released", now=now)
    notify_customer(escalation, actor="bridge", cause="cmd", now=now)
    customer_accepts(escalation, monitoring_period=period, by="customer", cause="page", now=now)
    return escalation


def test_recurrence_during_the_monitoring_period_reopens_the_escalation(
    with_plan: Escalation, now: datetime
) -> None:
    escalation = _monitoring(with_plan, now, timedelta(days=14))

    result = report_recurrence(escalation, actor="customer", cause="zd:evt-99", now=now + 3 * HOUR)

    assert result is Recurrence.REOPENED
    assert escalation.state is EscalationState.REOPENED
    activate(escalation, engineer="cse:ana", actor="lead", cause="cmd", now=now)
    assert escalation.state is EscalationState.ACTIVE


def test_recurrence_after_the_monitoring_period_calls_for_a_new_escalation(
    with_plan: Escalation, now: datetime
) -> None:
    escalation = _monitoring(with_plan, now, timedelta(days=14))

    later = now + timedelta(days=15)
    result = report_recurrence(escalation, actor="customer", cause="zd:evt-99", now=later)

    assert result is Recurrence.OUTSIDE_MONITORING_PERIOD
    assert escalation.state is EscalationState.MONITORING


def test_customer_rejecting_the_fix_reopens_the_escalation(
    with_plan: Escalation, now: datetime
) -> None:
    ship_fix(with_plan, actor="github", cause="gh:release", now=now)
    notify_customer(with_plan, actor="bridge", cause="cmd", now=now)

    customer_rejects(with_plan, by="customer", reason="still failing", cause="page:reject", now=now)

    assert with_plan.state is EscalationState.REOPENED


def test_closing_after_monitoring_waits_for_the_period_and_the_customers_agreement(
    with_plan: Escalation, now: datetime
) -> None:
    escalation = _monitoring(with_plan, now, timedelta(days=7))
    agreement = Agreement("ops@customer.example", "fine to close", now + timedelta(days=8))

    with pytest.raises(MonitoringNotOver, match="monitored until"):
        close(escalation, SATISFIED, agreement=agreement, actor="cse", cause="cmd", now=now + HOUR)
    with pytest.raises(MonitoringNotOver, match="agreement"):
        close(escalation, SATISFIED, actor="cse", cause="cmd", now=now + timedelta(days=8))

    close(
        escalation,
        SATISFIED,
        agreement=agreement,
        actor="cse",
        cause="cmd",
        now=now + timedelta(days=8),
    )
    assert escalation.state is EscalationState.CLOSED
    assert escalation.outcome == SATISFIED


def test_a_monitoring_period_agreed_with_the_customer_replaces_the_configured_one(
    with_plan: Escalation, now: datetime
) -> None:
    escalation = _monitoring(with_plan, now, timedelta(days=14))
    agreed = Agreement("cse", "Dana: three days of watching is enough", now + HOUR)
    until = now + timedelta(days=3)

    assert (
        agree_monitoring_period(
            escalation, until=until, agreement=agreed, cause="cmd", now=now + HOUR
        )
        == until
    )
    assert escalation.monitoring_until == until
    assert escalation.history[-1].step == "agree_monitoring_period"
    assert escalation.history[-1].note == (
        f"monitoring until {until.isoformat()}, agreed: Dana: three days of watching is enough"
    )
    after = now + timedelta(days=3, minutes=1)
    assert report_recurrence(escalation, actor="cse", cause="c", now=after) is (
        Recurrence.OUTSIDE_MONITORING_PERIOD
    )
    closing = Agreement("cse", "fine to close", after)
    close(escalation, SATISFIED, agreement=closing, actor="cse", cause="cmd", now=after)
    assert escalation.state is EscalationState.CLOSED


def test_a_monitoring_period_needs_monitoring_the_agreement_and_an_end_not_past(
    with_plan: Escalation, now: datetime
) -> None:
    agreed = Agreement("cse", "a week", now)
    with pytest.raises(MonitoringPeriodRefused, match="is not being monitored"):
        agree_monitoring_period(
            with_plan, until=now + timedelta(days=7), agreement=agreed, cause="c", now=now
        )
    escalation = _monitoring(with_plan, now, timedelta(days=14))
    unsaid = Agreement("cse", " ", now)
    with pytest.raises(MonitoringPeriodRefused, match="agreement to the period is not documented"):
        agree_monitoring_period(
            escalation, until=now + timedelta(days=7), agreement=unsaid, cause="c", now=now
        )
    with pytest.raises(MonitoringPeriodRefused, match="cannot end in the past"):
        agree_monitoring_period(escalation, until=now - HOUR, agreement=agreed, cause="c", now=now)
    assert escalation.monitoring_until == now + timedelta(days=14)


@pytest.mark.parametrize(
    ("outcome", "complete"),
    [
        (OutcomeRecord(Outcome.EXPLAINED_NOT_POSSIBLE), False),
        (OutcomeRecord(Outcome.EXPLAINED_NOT_POSSIBLE, explanation="hardware limit"), True),
        (OutcomeRecord(Outcome.BUG_IN_TRACKER, tracker_ref="DEV-1"), False),
        (
            OutcomeRecord(Outcome.BUG_IN_TRACKER, tracker_ref="DEV-1", resolution_indication="7.3"),
            True,
        ),
        (OutcomeRecord(Outcome.FEATURE_REQUEST_ROADMAP), True),
        (OutcomeRecord(Outcome.FEATURE_REQUEST_ACCOUNT_MANAGER), True),
    ],
)
def test_closing_records_one_of_the_charter_outcomes_with_its_detail(
    active: Escalation, now: datetime, outcome: OutcomeRecord, complete: bool
) -> None:

    if not complete:
        with pytest.raises(OutcomeIncomplete):
            close(active, outcome, actor="cse", cause="cmd", now=now)
        assert active.state is EscalationState.ACTIVE
        return
    close(active, outcome, actor="cse", cause="cmd", now=now)
    assert (active.state, active.outcome) == (EscalationState.CLOSED, outcome)


def test_every_step_of_an_escalation_is_in_its_audit_trail_with_actor_cause_and_time(
    with_plan: Escalation, now: datetime
) -> None:
    escalation = _monitoring(with_plan, now, timedelta(days=1))

    trail = [(e.step, e.from_state, e.to_state, e.actor, e.cause) for e in escalation.history]

    assert trail == [
        ("open", "", "requested", "partner@customer.example", "inbox:42"),
        ("triage", "requested", "triaged", "cse", "cmd"),
        ("activate", "triaged", "active", "lead", "cmd"),
        ("propose_plan", "active", "plan_proposed", "cse:ana", "cmd"),
        ("accept_plan", "plan_proposed", "plan_accepted", "customer", "page:accept"),
        ("ship_fix", "plan_accepted", "fix_shipped", "jira", "jira:version-released"),
        ("notify_customer", "fix_shipped", "awaiting_customer", "bridge", "cmd"),
        ("customer_accepts", "awaiting_customer", "monitoring", "customer", "page"),
    ]
    assert {e.at for e in escalation.history} == {now}


def test_a_notice_is_keyed_by_escalation_kind_and_subject_so_it_is_never_sent_twice(
    now: datetime,
) -> None:
    def notice(kind: NoticeKind, subject: str, sent_at: datetime) -> Notice:
        return Notice("esc-1", "ZD-1001", kind, Channel.EMAIL, "ops@x.example", sent_at, subject)

    first = notice(NoticeKind.ACTION_PLAN, "p1", now)
    retry = notice(NoticeKind.ACTION_PLAN, "p1", now + HOUR)

    assert first.key == retry.key == "notice:esc-1:action_plan:p1"
    keys = {
        notice(NoticeKind.ACTION_PLAN, "p2", now).key,
        notice(NoticeKind.RESOLUTION, "p1", now).key,
        first.key,
    }
    assert len(keys) == 3
