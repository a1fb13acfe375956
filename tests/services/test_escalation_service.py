"""Escalations opened through the service: refusals, clocks, policy snapshot, side effects."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from bridge.config import load_settings
from bridge.domain.enums import EntryPoint, Priority, ReasonCategory, Severity
from bridge.domain.errors import (
    AdviceNotOverridden,
    AlreadyEscalated,
    LevelCeilingReached,
    UnknownTicket,
)
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest
from bridge.store import tables
from bridge.store.escalations import EscalationStore

from .conftest import MONDAY_10AM, add_ticket


def request(ticket: str = "4711", **changes: object) -> EscalationRequest:
    values: dict[str, object] = {
        "ticket_ref": ticket,
        "reason": ReasonCategory.DATA_LOSS,
        "reason_text": "orders lost since the upgrade",
        "requested_by": "U-ANNA",
        "entry_point": EntryPoint.SLACK,
        "cause": "slack:view:V1",
    }
    values.update(changes)
    return EscalationRequest(**values)  # type: ignore[arg-type]


def outbox_keys(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(
            session.scalars(select(tables.OutboxRow.idempotency_key).order_by(tables.OutboxRow.id))
        )


def test_no_escalation_without_a_ticket(runtime: Runtime) -> None:
    with pytest.raises(UnknownTicket, match="9999"):
        runtime.services.escalations.request(request("9999"), MONDAY_10AM)
    with runtime.sessions() as session:
        assert session.scalars(select(tables.Escalation)).all() == []


def test_an_escalation_starts_its_clocks_on_the_tickets_business_calendar(runtime) -> None:
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    with runtime.sessions() as session:
        clocks = {c.target.kind.value: c for c in EscalationStore(session).clocks(escalation_id)}
    # us-eastern opens 9-18 New York time: 4 business hours after Monday 10:00 is 14:00 (19:00 UTC).
    assert clocks["acknowledge"].due_at == dt.datetime(2026, 11, 16, 19, 0, tzinfo=dt.UTC)
    # One business day (9 h) from Monday 10:00 is Tuesday 10:00.
    assert clocks["reply"].due_at == dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)
    # The critical-bug patch is owed once the problem is raised as a bug in the tracker (000).
    assert "patch" not in clocks


def test_opening_plans_the_slack_message_and_the_level_one_alert_once(runtime) -> None:
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    assert outbox_keys(runtime) == [
        f"chat:{escalation_id}:head:opened",
        f"chat:{escalation_id}:reply:opened",
    ]


def test_when_not_to_escalate_advice_needs_a_recorded_override(runtime: Runtime) -> None:
    add_ticket(
        runtime,
        priority=Priority.NORMAL,
        opened_at=MONDAY_10AM - dt.timedelta(hours=1),
        replied=False,
    )
    service = runtime.services.escalations
    quiet = request(reason=ReasonCategory.UNSATISFACTORY_REPLY)
    with pytest.raises(AdviceNotOverridden, match="not advised"):
        service.request(quiet, MONDAY_10AM)
    overridden = request(
        reason=ReasonCategory.UNSATISFACTORY_REPLY, override_justification="CEO call"
    )
    escalation_id = service.request(overridden, MONDAY_10AM)
    with runtime.sessions() as session:
        steps = [event.step for event in EscalationStore(session).history(escalation_id)]
    assert "override_advice" in steps


def test_the_escalation_keeps_the_policy_it_started_with(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, isolated_settings
) -> None:
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    (isolated_settings / "bridge.yaml").write_text(
        "levels:\n"
        "  1: {role: support manager}\n"
        "  2: {role: new account manager, owners: [U-NEW]}\n"
        "  3: {role: executive}\n",
        encoding="utf-8",
    )
    runtime.settings = load_settings()
    runtime.services.escalations.raise_level(
        escalation_id, by="U-ANNA", cause="test", now=MONDAY_10AM
    )
    with runtime.sessions() as session:
        replies = session.scalars(
            select(tables.OutboxRow).where(
                tables.OutboxRow.idempotency_key == f"chat:{escalation_id}:reply:level-2"
            )
        ).one()
    assert "account manager" in replies.payload["text"]
    assert "new account manager" not in replies.payload["text"]


def test_levels_stop_at_three_with_a_clear_refusal(runtime: Runtime) -> None:
    add_ticket(runtime, severity=Severity.MAJOR)
    service = runtime.services.escalations
    escalation_id = service.request(request(), MONDAY_10AM)
    assert service.raise_level(escalation_id, by="U-ANNA", cause="c1", now=MONDAY_10AM) == 2
    assert service.raise_level(escalation_id, by="U-ANNA", cause="c2", now=MONDAY_10AM) == 3
    with pytest.raises(LevelCeilingReached):
        service.raise_level(escalation_id, by="U-ANNA", cause="c3", now=MONDAY_10AM)


def test_five_requests_at_once_for_one_ticket_open_one_escalation(runtime: Runtime) -> None:
    """Five people press Submit on the same ticket's form at the same moment: the ticket's row
    is locked while the first is decided, so the others see its escalation and are refused."""
    add_ticket(runtime)
    start = threading.Barrier(5)
    outcomes: list[str] = []

    def submit() -> None:
        start.wait()
        try:
            runtime.services.escalations.request(request(), MONDAY_10AM)
        except AlreadyEscalated:
            outcomes.append("refused")
        else:
            outcomes.append("opened")

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["opened", "refused", "refused", "refused", "refused"]
    with runtime.sessions() as session:
        assert len(session.scalars(select(tables.Escalation)).all()) == 1
