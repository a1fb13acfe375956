"""Rules 4, 6 and 8: triage, levels, communication plan and the daily digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bridge.domain.communication import (
    agree_communication_plan,
    daily_digest,
    record_status_update,
    status_update_overdue,
)
from bridge.domain.enums import (
    Classification,
    CommunicationMode,
    EscalationState,
    Level,
    LevelCause,
)
from bridge.domain.errors import LevelCeilingReached, RuleViolation, UrgentStaysUrgent
from bridge.domain.levels import LevelOwners, raise_level
from bridge.domain.records import CommunicationPlan, ContactDetails, Escalation, TriageAnswers
from bridge.domain.triage import classify, missing_answers, reclassify, triage

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    "answers",
    [
        TriageAnswers(production_down=True),
        TriageAnswers(go_live_or_upgrade_date=TODAY, go_live_can_complete=False),
        TriageAnswers(
            go_live_or_upgrade_date=TODAY + timedelta(days=1), go_live_can_complete=False
        ),
        TriageAnswers(core_business_seriously_affected_live=True),
    ],
    ids=["production down", "go-live today", "go-live tomorrow", "core business hit live"],
)
def test_triage_marks_the_three_circumstances_of_the_seeds_urgent(answers: TriageAnswers) -> None:
    assert classify(answers, TODAY) is Classification.URGENT


@pytest.mark.parametrize(
    "answers",
    [
        TriageAnswers(),
        TriageAnswers(
            go_live_or_upgrade_date=TODAY + timedelta(days=5), go_live_can_complete=False
        ),
        TriageAnswers(go_live_or_upgrade_date=TODAY, go_live_can_complete=True),
        TriageAnswers(acceptable_workaround=False, users_affected=400),
    ],
    ids=["nothing", "go-live next week", "go-live will complete", "no workaround only"],
)
def test_triage_otherwise_processes_the_ticket_as_high_priority(answers: TriageAnswers) -> None:
    assert classify(answers, TODAY) is Classification.HIGH_PRIORITY


def test_triage_records_answers_and_classification_and_moves_to_triaged(
    opened: Escalation, now: datetime
) -> None:
    answers = TriageAnswers(production_down=True)

    result = triage(opened, answers, today=TODAY, actor="cse:ana", cause="cmd:triage", now=now)

    assert result is Classification.URGENT
    assert opened.state is EscalationState.TRIAGED
    assert opened.classification is Classification.URGENT
    assert opened.triage == answers
    assert opened.history[-1].note == "urgent"


def test_missing_triage_answers_are_listed_to_ask_the_customer() -> None:
    complete = TriageAnswers(
        acceptable_workaround=False,
        core_functionality_severely_affected=True,
        anticipated_financial_loss="EUR 20k per day",
        users_affected=300,
        contact=ContactDetails("+44 20 0000 0000", "ops@customer.example", "08:00-20:00 GMT"),
    )
    assert missing_answers(complete) == []
    assert missing_answers(TriageAnswers()) == [
        "Is there an acceptable workaround?",
        "Is core business functionality severely affected?",
        "What is the anticipated financial loss to the business?",
        "How many users are affected?",
        "Contact person's phone, email and hours of availability?",
    ]


def test_urgent_stays_urgent_until_resolved(opened: Escalation, now: datetime) -> None:
    triage(opened, TriageAnswers(production_down=True), today=TODAY, actor="a", cause="c", now=now)
    working = replace(opened, state=EscalationState.FIX_SHIPPED)

    with pytest.raises(UrgentStaysUrgent, match="stays Urgent until it is resolved"):
        reclassify(working, Classification.HIGH_PRIORITY, actor="a", cause="c", now=now)
    assert working.classification is Classification.URGENT

    resolved = replace(opened, state=EscalationState.MONITORING)
    reclassify(resolved, Classification.HIGH_PRIORITY, actor="a", cause="c", now=now)
    assert resolved.classification is Classification.HIGH_PRIORITY


def test_high_priority_escalation_can_become_urgent_at_any_time(
    opened: Escalation, now: datetime
) -> None:
    triage(opened, TriageAnswers(), today=TODAY, actor="a", cause="c", now=now)

    reclassify(opened, Classification.URGENT, actor="cse:ana", cause="slack:U1", now=now)

    assert opened.classification is Classification.URGENT
    assert opened.history[-1].note == "high_priority -> urgent"


def test_levels_rise_from_support_manager_to_account_manager_to_executive(
    opened: Escalation, owners: LevelOwners, now: datetime
) -> None:
    assert opened.level is Level.SUPPORT_MANAGER
    assert opened.level_attempts[0].owner == "@support-manager"

    second = raise_level(
        opened, owners, cause=LevelCause.REQUEST, by="customer", trigger="zd:evt-8", now=now
    )
    third = raise_level(
        opened,
        owners,
        cause=LevelCause.SLA_BREACH,
        by="sla",
        trigger="sla-breach:esc-1:acknowledge",
        now=now + timedelta(hours=1),
    )

    assert (second.level, second.owner) == (Level.ACCOUNT_MANAGER, "@account-manager")
    assert (third.level, third.owner) == (Level.EXECUTIVE, "@ceo")
    assert opened.level is Level.EXECUTIVE
    assert [a.owner for a in third.earlier_attempts] == ["@support-manager", "@account-manager"]
    assert [e.note for e in opened.history if e.step == "raise_level"] == [
        "level 1 -> 2 (request)",
        "level 2 -> 3 (sla_breach)",
    ]


def test_there_is_no_level_above_the_executive(
    opened: Escalation, owners: LevelOwners, now: datetime
) -> None:
    top = replace(opened, level=Level.EXECUTIVE)
    with pytest.raises(LevelCeilingReached, match="already at level 3"):
        raise_level(top, owners, cause=LevelCause.REQUEST, by="c", trigger="t", now=now)


@pytest.mark.parametrize(
    "state", [EscalationState.MONITORING, EscalationState.DE_ESCALATED, EscalationState.CLOSED]
)
def test_a_resolved_escalation_keeps_its_level_until_the_problem_is_reported_again(
    opened: Escalation, owners: LevelOwners, now: datetime, state: EscalationState
) -> None:
    settled = replace(opened, state=state)
    for cause in (LevelCause.SLA_BREACH, LevelCause.REQUEST):
        with pytest.raises(RuleViolation, match="report the problem again to reopen it"):
            raise_level(settled, owners, cause=cause, by="c", trigger="t", now=now)
    assert settled.level is Level.SUPPORT_MANAGER


def test_level_owners_must_all_be_configured() -> None:
    with pytest.raises(ValueError, match=r"level\(s\) \[3\]"):
        LevelOwners.from_mapping({1: "@a", 2: "@b"})


def test_communication_plan_sets_the_next_status_update_due_at_its_frequency(
    opened: Escalation, now: datetime
) -> None:
    plan = CommunicationPlan(
        CommunicationMode.CONFERENCE_CALL, timedelta(hours=4), ("ops@customer.example", "cse:ana")
    )

    due = agree_communication_plan(opened, plan, actor="cse:ana", cause="cmd", now=now)

    assert due == now + timedelta(hours=4)
    assert opened.communication == plan
    assert not status_update_overdue(opened, now + timedelta(hours=3, minutes=59))
    assert status_update_overdue(opened, now + timedelta(hours=4))

    sent_at = now + timedelta(hours=5)
    assert record_status_update(opened, actor="cse:ana", cause="notice:1", now=sent_at) == (
        sent_at + timedelta(hours=4)
    )
    assert not status_update_overdue(opened, sent_at + timedelta(hours=1))


def test_daily_digest_lists_every_open_escalation_urgent_first_then_level_then_age(
    opened: Escalation, now: datetime
) -> None:
    old_high = replace(
        opened,
        id="esc-old",
        classification=Classification.HIGH_PRIORITY,
        opened_at=now - timedelta(days=9),
    )
    urgent = replace(
        opened, id="esc-urgent", classification=Classification.URGENT, state=EscalationState.ACTIVE
    )
    level_two = replace(
        opened, id="esc-l2", classification=Classification.HIGH_PRIORITY, level=Level(2)
    )
    closed = replace(opened, id="esc-closed", state=EscalationState.CLOSED)
    calmed = replace(opened, id="esc-calm", state=EscalationState.DE_ESCALATED)

    digest = daily_digest(
        [old_high, closed, urgent, level_two, calmed], now, breached={"esc-old", "esc-closed"}
    )

    assert [line.escalation_id for line in digest.lines] == ["esc-urgent", "esc-l2", "esc-old"]
    assert digest.urgent == 1
    assert digest.sla_breached == 1
    assert digest.by_state == {"active": 1, "requested": 2}
    assert digest.by_level == {1: 2, 2: 1}
    assert digest.lines[2].open_for == timedelta(days=9)
