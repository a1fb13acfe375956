"""Rules 1, 2, 3, 5 and 12: how an escalation may start, and who may start one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from bridge.domain.calendar import BusinessCalendar
from bridge.domain.contacts import check_requester
from bridge.domain.enums import EntryPoint, EscalationState, NotToEscalate, Priority
from bridge.domain.enums import ReasonCategory as Reason
from bridge.domain.errors import (
    AdviceNotOverridden,
    AlreadyEscalated,
    TicketNeedsSplit,
    UnknownTicket,
)
from bridge.domain.levels import LevelOwners
from bridge.domain.opening import (
    Advice,
    RequestEscalation,
    advise,
    open_escalation,
    request_from_ticket_update,
    split_ticket,
)
from bridge.domain.records import AdviceOverride, Ticket

NO_ADVICE = Advice(frozenset())
WEEK = timedelta(days=7)
ALWAYS = BusinessCalendar.twenty_four_seven()  # ages counted in wall time
THREE_DAYS = timedelta(days=3)  # the fixture ticket is five days old


def test_no_escalation_without_a_ticket(
    make_request: Callable[..., RequestEscalation], owners: LevelOwners, now: datetime
) -> None:
    with pytest.raises(UnknownTicket, match="no ticket ZD-404: an escalation must name"):
        open_escalation(
            make_request(ticket_ref="ZD-404"),
            None,
            escalation_id="esc-1",
            owners=owners,
            advice=NO_ADVICE,
            override=None,
            now=now,
        )


def test_an_email_naming_no_ticket_starts_nothing(
    make_request: Callable[..., RequestEscalation],
    make_ticket: Callable[..., Ticket],
    owners: LevelOwners,
    now: datetime,
) -> None:
    with pytest.raises(UnknownTicket, match=r"\(none given\)"):
        open_escalation(
            make_request(ticket_ref=""),
            make_ticket(),
            escalation_id="esc-1",
            owners=owners,
            advice=NO_ADVICE,
            override=None,
            now=now,
        )


def test_escalation_request_naming_the_ticket_opens_an_escalation_for_the_team(
    make_request: Callable[..., RequestEscalation],
    make_ticket: Callable[..., Ticket],
    owners: LevelOwners,
    now: datetime,
) -> None:
    ticket = make_ticket()
    escalation, opened = open_escalation(
        make_request(),
        ticket,
        escalation_id="esc-9",
        owners=owners,
        advice=NO_ADVICE,
        override=None,
        now=now,
    )

    assert escalation.state is EscalationState.REQUESTED
    assert (escalation.ticket_id, escalation.level) == ("ZD-1001", 1)
    assert escalation.reason is Reason.CRITICAL_BUSINESS_IMPACT
    assert escalation.reason_text == "Production calls are failing"
    assert opened.owner == "@support-manager"
    assert opened.entry_point is EntryPoint.ESCALATION_REQUEST
    assert "escalation:esc-9" in ticket.links
    assert escalation.history[0].cause == "inbox:42"


def test_a_ticket_marked_for_escalation_in_the_helpdesk_opens_an_escalation(
    make_ticket: Callable[..., Ticket], owners: LevelOwners, now: datetime
) -> None:
    before = make_ticket(ticket_type="incident")
    after = make_ticket(ticket_type="incident", escalation_marked=True)

    command = request_from_ticket_update(before, after, changed_by="agent:7", cause="zd:evt-5")

    assert command is not None
    assert command.entry_point is EntryPoint.TICKET_TYPE_CHANGED
    escalation, opened = open_escalation(
        command,
        after,
        escalation_id="esc-2",
        owners=owners,
        advice=NO_ADVICE,
        override=None,
        now=now,
    )
    assert escalation.ticket_id == after.external_id
    assert opened.owner == "@support-manager"


def test_a_ticket_update_that_keeps_the_escalation_mark_opens_nothing_again(
    make_ticket: Callable[..., Ticket],
) -> None:
    escalated = make_ticket(escalation_marked=True)
    assert request_from_ticket_update(escalated, escalated, changed_by="a", cause="c") is None
    plain = make_ticket(ticket_type="escalation")  # a type is no mark
    assert request_from_ticket_update(None, plain, changed_by="a", cause="c") is None


def test_fresh_ticket_support_has_not_answered_is_advised_against(
    make_ticket: Callable[..., Ticket], now: datetime
) -> None:
    ticket = make_ticket(opened_at=now - timedelta(hours=2), last_support_reply_at=None)

    advice = advise(ticket, Reason.UNSATISFACTORY_REPLY, now, reasonable_time=WEEK, calendar=ALWAYS)

    assert NotToEscalate.NO_EARLIER_CONTACT in advice.against
    assert not advice.proceed


def test_support_working_within_reasonable_time_is_advised_against(
    make_ticket: Callable[..., Ticket], now: datetime
) -> None:
    ticket = make_ticket(opened_at=now - timedelta(days=2), last_support_reply_at=now)

    advice = advise(ticket, Reason.NOT_UNDERSTOOD, now, reasonable_time=WEEK, calendar=ALWAYS)

    assert advice.against == {NotToEscalate.SUPPORT_WITHIN_REASONABLE_TIME}


def test_not_urgent_ticket_escalated_for_a_slow_reply_is_advised_against(
    make_ticket: Callable[..., Ticket], now: datetime
) -> None:
    ticket = make_ticket(priority=Priority.LOW)

    slow = advise(
        ticket, Reason.NOT_HANDLED_WITH_URGENCY, now, reasonable_time=THREE_DAYS, calendar=ALWAYS
    )
    assert slow.against == {NotToEscalate.NOT_URGENT}
    assert advise(
        ticket, Reason.DATA_LOSS, now, reasonable_time=THREE_DAYS, calendar=ALWAYS
    ).proceed


def test_old_urgent_ticket_with_a_risk_reason_gets_no_advice_against(
    make_ticket: Callable[..., Ticket], now: datetime
) -> None:
    advice = advise(
        make_ticket(), Reason.DATA_LOSS, now, reasonable_time=THREE_DAYS, calendar=ALWAYS
    )
    assert advice.proceed
    assert advice.explain() == []


def test_escalation_against_advice_is_refused_without_an_override(
    make_request: Callable[..., RequestEscalation],
    make_ticket: Callable[..., Ticket],
    owners: LevelOwners,
    now: datetime,
) -> None:
    advice = Advice(frozenset({NotToEscalate.NOT_URGENT}))

    with pytest.raises(AdviceNotOverridden, match="not urgent or risky"):
        open_escalation(
            make_request(),
            make_ticket(),
            escalation_id="esc-1",
            owners=owners,
            advice=advice,
            override=None,
            now=now,
        )


def test_override_of_the_advice_is_recorded_with_who_and_why(
    make_request: Callable[..., RequestEscalation],
    make_ticket: Callable[..., Ticket],
    owners: LevelOwners,
    now: datetime,
) -> None:
    advice = Advice(frozenset({NotToEscalate.SUPPORT_WITHIN_REASONABLE_TIME}))
    override = AdviceOverride("cse:ana", "customer's go-live is tomorrow")

    escalation, opened = open_escalation(
        make_request(),
        make_ticket(),
        escalation_id="esc-1",
        owners=owners,
        advice=advice,
        override=override,
        now=now,
    )

    assert escalation.override is not None
    assert escalation.override.by == "cse:ana"
    assert escalation.override.justification == "customer's go-live is tomorrow"
    assert escalation.override.advice == advice.against
    assert opened.overridden_advice == advice.against
    assert [e.step for e in escalation.history] == ["open", "override_advice"]


def test_escalation_on_an_sla_breach_is_never_advised_against(
    make_ticket: Callable[..., Ticket], now: datetime
) -> None:
    ticket = make_ticket(priority=Priority.LOW, opened_at=now, last_support_reply_at=None)
    assert advise(ticket, Reason.SLA_BREACH, now, reasonable_time=WEEK, calendar=ALWAYS).proceed


def test_a_ticket_is_escalated_once_while_its_escalation_is_open(
    make_request: Callable[..., RequestEscalation],
    make_ticket: Callable[..., Ticket],
    owners: LevelOwners,
    now: datetime,
) -> None:
    ticket = make_ticket()
    with pytest.raises(AlreadyEscalated, match="is already escalated: escalation esc-1 is open"):
        open_escalation(
            make_request(),
            ticket,
            escalation_id="esc-2",
            owners=owners,
            advice=NO_ADVICE,
            override=None,
            now=now,
            open_already="esc-1",
        )


def test_a_ticket_with_several_problems_must_be_split_before_escalating(
    make_request: Callable[..., RequestEscalation],
    make_ticket: Callable[..., Ticket],
    owners: LevelOwners,
    now: datetime,
) -> None:
    ticket = make_ticket(problems=("calls drop", "reports are slow"))

    with pytest.raises(TicketNeedsSplit, match="2 problems: split it"):
        open_escalation(
            make_request(),
            ticket,
            escalation_id="esc-1",
            owners=owners,
            advice=NO_ADVICE,
            override=None,
            now=now,
        )


def test_split_gives_the_urgent_problem_its_own_linked_ticket(
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(problems=("calls drop", "reports are slow"), priority=Priority.HIGH)

    split = split_ticket(ticket, "calls drop", new_ticket_id="ZD-2002")

    assert split.urgent.external_id == "ZD-2002"
    assert split.urgent.problems == ("calls drop",)
    assert split.urgent.priority is Priority.URGENT
    assert split.urgent.organisation == ticket.organisation
    assert split.remainder.problems == ("reports are slow",)
    assert "ticket:ZD-2002" in split.remainder.links
    assert "ticket:ZD-1001" in split.urgent.links


def test_unregistered_requester_is_held_and_support_is_told(now: datetime) -> None:
    registry = {"ops@customer.example": "Customer Ltd"}

    check = check_requester(
        "Mallory <mallory@elsewhere.example>", registry, source_ref="msg-77", received_at=now
    )

    assert not check.registered
    assert check.support_must_be_told
    assert check.held is not None
    assert (check.held.address, check.held.source_ref) == ("mallory@elsewhere.example", "msg-77")


def test_registered_requester_is_recognised_whatever_the_case_or_display_name(
    now: datetime,
) -> None:
    registry = {"Ops@Customer.example": "Customer Ltd"}

    check = check_requester(
        '"Ops Desk" <OPS@customer.EXAMPLE>', registry, source_ref="msg-78", received_at=now
    )

    assert check.registered
    assert check.organisation == "Customer Ltd"
    assert not check.support_must_be_told
