"""Seed 001's "when not to escalate", judged from the ticket as the helpdesk shows it: when it
was opened and when support last replied in public, aged in the region's business time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bridge.domain.enums import ReasonCategory
from bridge.domain.errors import AdviceNotOverridden
from tests.procedure.world import World, local, world

UK = "Europe/London"
FRIDAY_4PM = local(2026, 11, 13, 16, tz=UK)
WORKING_ON_IT = "support is working on the ticket and is still within a reasonable time"
NOT_ANSWERED = "support has not answered this ticket yet"


def a_ticket_support_answered_on_friday(bridge: World) -> None:
    bridge.ticket("5150", region="uk", severity=2, opened=dt.timedelta(0))
    bridge.advance(dt.timedelta(minutes=30))
    bridge.comment("5150", "We are reproducing it on our side.", by_customer=False)


def test_support_already_working_within_a_business_day_is_advice_against(
    tmp_path: Path,
) -> None:
    with world(tmp_path, FRIDAY_4PM) as bridge:
        a_ticket_support_answered_on_friday(bridge)
        # Monday 09:30: seventeen hours on the wall, an hour and a half of UK business time.
        bridge.advance_to(local(2026, 11, 16, 9, 30, tz=UK))

        with pytest.raises(AdviceNotOverridden) as refused:
            bridge.escalate("5150", reason=ReasonCategory.NOT_HANDLED_WITH_URGENCY)

        assert WORKING_ON_IT in str(refused.value)
        assert NOT_ANSWERED not in str(refused.value)
        assert bridge.outbox("upsert_escalation_message") == []


def test_after_a_business_day_the_same_request_goes_ahead(tmp_path: Path) -> None:
    with world(tmp_path, FRIDAY_4PM) as bridge:
        a_ticket_support_answered_on_friday(bridge)
        bridge.advance_to(local(2026, 11, 16, 16, 30, tz=UK))  # Friday's hour + Monday's 7.5

        escalation_id = bridge.escalate("5150", reason=ReasonCategory.NOT_HANDLED_WITH_URGENCY)

        assert bridge.state(escalation_id) == "triaged"


def test_a_ticket_support_never_answered_is_told_to_give_support_a_chance(
    tmp_path: Path,
) -> None:
    with world(tmp_path, FRIDAY_4PM) as bridge:
        bridge.ticket("5151", region="uk", severity=2, opened=dt.timedelta(0))
        # The customer's own message is not support working on it.
        bridge.comment("5151", "Still broken, please hurry.", by_customer=True)
        bridge.advance_to(local(2026, 11, 16, 9, 30, tz=UK))

        with pytest.raises(AdviceNotOverridden) as refused:
            bridge.escalate("5151", reason=ReasonCategory.NOT_HANDLED_WITH_URGENCY)

        assert NOT_ANSWERED in str(refused.value)
        assert WORKING_ON_IT not in str(refused.value)


def test_a_justification_escalates_anyway_and_is_kept(tmp_path: Path) -> None:
    with world(tmp_path, FRIDAY_4PM) as bridge:
        a_ticket_support_answered_on_friday(bridge)
        bridge.advance_to(local(2026, 11, 16, 9, 30, tz=UK))

        escalation_id = bridge.escalate(
            "5150",
            reason=ReasonCategory.NOT_HANDLED_WITH_URGENCY,
            justification="the customer's quarter closes today",
        )

        overrides = [e.note for e in bridge.audit(escalation_id) if e.step == "override_advice"]
        assert bridge.state(escalation_id) == "triaged"
        assert overrides == [
            "advised against (support_within_reasonable_time); "
            "justification: the customer's quarter closes today"
        ]
