"""The answers every entry point requires (002), the pre-escalation review (003), the override's
justification and the de-escalation agreement in the timeline, and the remote session of an
Urgent escalation (002, 3rd step)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from bridge.domain.enums import NotToEscalate
from bridge.domain.errors import RemoteSessionRefused, ReviewNotPassed, TriageIncomplete
from bridge.domain.levels import LevelOwners
from bridge.domain.opening import Advice, RequestEscalation, open_escalation
from bridge.domain.records import (
    AdviceOverride,
    Agreement,
    ContactDetails,
    Escalation,
    PreEscalationReview,
    RemoteSession,
    Ticket,
    TriageAnswers,
)
from bridge.domain.resolution import de_escalate, record_rca_progress
from bridge.domain.triage import (
    check_review,
    incomplete_triage,
    record_remote_session,
    record_review,
    require_complete_triage,
    triage,
)

COMPLETE = TriageAnswers(
    users_affected=300,
    go_live_answered=True,
    contact=ContactDetails("+44 20 0000 0000", "ops@customer.example", "08:00-20:00 GMT"),
)
REVIEW = PreEscalationReview(True, True, None, date(2026, 3, 31))


def test_the_required_answers_are_named_by_field_when_missing() -> None:
    assert incomplete_triage(COMPLETE) == []
    assert require_complete_triage(COMPLETE) is COMPLETE
    everything = [
        "contact.phone",
        "contact.email",
        "contact.hours_of_availability",
        "users_affected",
        "go_live_or_upgrade_date",
    ]
    assert incomplete_triage(None) == everything
    assert incomplete_triage(TriageAnswers(production_down=True)) == everything
    blank_phone = replace(COMPLETE, contact=ContactDetails(" ", "ops@customer.example", "9-5"))
    assert incomplete_triage(blank_phone) == ["contact.phone"]
    assert incomplete_triage(replace(COMPLETE, users_affected=-1)) == ["users_affected"]


def test_a_go_live_date_needs_its_effect_and_none_at_stake_is_an_answer() -> None:
    dated = replace(COMPLETE, go_live_or_upgrade_date=date(2026, 3, 11))
    assert incomplete_triage(dated) == ["go_live_effect"]
    assert incomplete_triage(replace(dated, go_live_effect="cutover moves a week")) == []
    assert incomplete_triage(replace(COMPLETE, go_live_answered=False)) == [
        "go_live_or_upgrade_date"
    ]


def test_an_incomplete_triage_is_refused_naming_the_fields_and_the_questions() -> None:
    with pytest.raises(TriageIncomplete) as refused:
        require_complete_triage(replace(COMPLETE, users_affected=None, contact=None))
    assert refused.value.missing == (
        "contact.phone",
        "contact.email",
        "contact.hours_of_availability",
        "users_affected",
    )
    assert "How many users are affected?" in str(refused.value)


def test_the_review_is_required_and_must_confirm_statement_and_impact() -> None:
    assert check_review(REVIEW) is REVIEW
    with pytest.raises(ReviewNotPassed, match="unanswered"):
        check_review(None)
    with pytest.raises(ReviewNotPassed, match="correct the problem statement on the ticket"):
        check_review(replace(REVIEW, problem_statement_correct=False))
    # A usable workaround or no milestone date is recorded, not refused.
    assert check_review(replace(REVIEW, workaround_impractical=False, critical_milestone=None))


def test_the_review_answers_are_kept_and_in_the_timeline(opened: Escalation, now) -> None:
    review = replace(REVIEW, workaround_impractical=False)
    record_review(opened, review, actor="partner@customer.example", cause="api:1", now=now)
    assert opened.review == review
    event = opened.history[-1]
    assert (event.step, event.from_state, event.to_state) == ("review", "requested", "requested")
    assert event.note == (
        "Is the problem statement correct? yes. "
        "Does the ticket describe the business impact? yes. "
        "If there is a workaround, is it impractical or inappropriate? no. "
        "Is a critical milestone date identified? 2026-03-31."
    )


def test_the_override_justification_is_in_the_timeline(
    make_ticket: Callable[..., Ticket],
    make_request: Callable[..., RequestEscalation],
    owners: LevelOwners,
    now: datetime,
) -> None:
    escalation, _ = open_escalation(
        make_request(),
        make_ticket(),
        escalation_id="esc-2",
        owners=owners,
        advice=Advice(frozenset({NotToEscalate.NOT_URGENT})),
        override=AdviceOverride("lead", "the customer's board meets tomorrow"),
        now=now,
    )
    [override] = [e for e in escalation.history if e.step == "override_advice"]
    assert override.note == (
        "advised against (not_urgent); justification: the customer's board meets tomorrow"
    )


def test_the_de_escalation_agreement_is_in_the_timeline(with_plan: Escalation, now) -> None:
    record_rca_progress(with_plan, on_track=True, actor="cse:ana", cause="cmd", now=now)
    agreement = Agreement("cse:ana", "Dana agreed on the call of 10 March", now)
    de_escalate(with_plan, agreement=agreement, actor="cse:ana", cause="cmd", now=now)
    assert with_plan.history[-1].note == "agreed with cse:ana: Dana agreed on the call of 10 March"


def session(now: datetime, **changes: object) -> RemoteSession:
    held = RemoteSession(
        now - timedelta(hours=1), ("Dana Ops", " Erin "), "reproduced; logs taken", "cse:ana"
    )
    return replace(held, **changes)


def test_an_urgent_escalation_records_its_remote_session(active: Escalation, now) -> None:
    cest = timezone(timedelta(hours=2))
    held = session(now, held_at=(now - timedelta(hours=1)).astimezone(cest))
    record_remote_session(active, held, cause="api:rs", now=now)
    [kept] = active.remote_sessions
    assert kept.attendees == ("Dana Ops", "Erin")
    assert kept.held_at == now - timedelta(hours=1)
    event = active.history[-1]
    assert (event.step, event.actor, event.from_state, event.to_state) == (
        "remote_session",
        "cse:ana",
        "active",
        "active",
    )
    assert event.note == "held 2026-03-10 13:00 UTC with Dana Ops, Erin: reproduced; logs taken"


def test_a_remote_session_is_refused_unless_urgent(opened: Escalation, now) -> None:
    with pytest.raises(RemoteSessionRefused, match="not triaged: a remote session is a step"):
        record_remote_session(opened, session(now), cause="c", now=now)
    triage(opened, COMPLETE, today=now.date(), actor="cse", cause="c", now=now)
    with pytest.raises(RemoteSessionRefused, match="high priority: a remote session is a step"):
        record_remote_session(opened, session(now), cause="c", now=now)
    assert opened.remote_sessions == []
    assert opened.history[-1].step == "triage"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"held_at": datetime(2026, 3, 10, 15, 0)}, "time zone"),
        ({"attendees": (" ",)}, "at least one attendee"),
        ({"outcome": "  "}, "came to"),
    ],
)
def test_a_remote_session_needs_when_who_and_outcome(active, now, changes, reason) -> None:
    with pytest.raises(RemoteSessionRefused, match=reason):
        record_remote_session(active, session(now, **changes), cause="c", now=now)


def test_a_remote_session_in_the_future_is_refused(active: Escalation, now) -> None:
    with pytest.raises(RemoteSessionRefused, match="in the future"):
        record_remote_session(
            active, session(now, held_at=now + timedelta(minutes=5)), cause="c", now=now
        )
