"""The resolution notice carries the customer's Accept / Still broken links, so whoever reads
it decides the customer's answer: by mail it goes to exactly one valid address, never to the
list a requester field may hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bridge.domain.enums import PlanKind
from tests.procedure.world import CONFIG, World, local, world

MAIL_ONLY = {
    **CONFIG,
    "connectors": {
        "jira": CONFIG["connectors"]["jira"],
        "email": {"host": "smtp.acme.example", "sender": "support@acme.example"},
    },
}
MONDAY = local(2026, 11, 16, 10, tz="Europe/London")


def ship_a_fix_for(bridge: World, requester: str) -> int:
    bridge.ticket("7001", region="uk", severity=2, requester=requester)
    escalation_id = bridge.escalate("7001")
    bridge.acknowledge(escalation_id)
    bridge.assign(escalation_id)
    bridge.propose(escalation_id, PlanKind.PATCH)
    bridge.answer_plan(escalation_id, accepted=True)
    bridge.file_ar(escalation_id)
    bridge.advance(dt.timedelta(hours=2))
    bridge.ship(escalation_id)
    return escalation_id


def test_a_requester_naming_two_addresses_gets_no_mail_and_support_is_told(
    tmp_path: Path,
) -> None:
    with world(tmp_path, MONDAY, MAIL_ONLY) as bridge:
        escalation_id = ship_a_fix_for(bridge, "ops@customer.example, attacker@evil.example")

        assert bridge.outbox("send") == []
        said = [row.payload["text"] for row in bridge.outbox("thread_reply")]
        assert any(
            "requester is not exactly one valid email address, so no notice was mailed" in text
            for text in said
        )
        assert not any("evil.example" in text for text in said)
        assert bridge.notice_id(escalation_id) is None


def test_one_address_in_any_form_is_mailed_to_that_address_alone(tmp_path: Path) -> None:
    with world(tmp_path, MONDAY, MAIL_ONLY) as bridge:
        ship_a_fix_for(bridge, "Ops Team <OPS@Customer.example>")

        [mail] = bridge.outbox("send")
        assert mail.payload["to"] == "ops@customer.example"
        assert "Accept: " in mail.payload["context"]["message"]
