"""Split ticket from Slack, end to end through the sandbox: the engineer names the urgent
problem, the bridge creates its Zendesk ticket through the connector, mirrors and escalates it,
and links the two tickets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bridge.store import tables
from sandbox import Sandbox
from sandbox.slack import person

from .sandboxed import Bridge
from .test_slack_steps import (
    ERIN,
    escalated_in_slack,
    slack_signing,  # noqa: F401 - the fixture
    thread,
)


@pytest.mark.usefixtures("slack_signing")
def test_split_creates_links_and_escalates_the_urgent_problem(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_slack(bridge, sandbox)
    before = set(sandbox.zendesk.tickets)
    problem = "Orders stop syncing to the warehouse"

    form = person.take_step(
        sandbox, ERIN, escalation_id, "split_ticket", {"urgent_problem": person.typed(problem)}
    )
    bridge.settle()

    assert form["callback_id"] == "escalation_step"
    [new] = [sandbox.zendesk.tickets[n] for n in set(sandbox.zendesk.tickets) - before]
    assert (new.subject, new.priority) == (problem, "urgent")
    with bridge.runtime.sessions() as session:
        tickets = {row.external_id: row for row in session.scalars(select(tables.Ticket))}
        escalated = {row.ticket_id for row in session.scalars(select(tables.Escalation))}
    urgent = tickets[str(new.id)]
    [original] = [row for number, row in tickets.items() if number != str(new.id)]
    assert urgent.id in escalated  # the urgent problem has an escalation of its own
    assert f"ticket:{original.external_id}" in urgent.document["links"]
    assert f"ticket:{new.id}" in original.document["links"]
    [note] = [t for t in thread(sandbox) if t.startswith("Split: the urgent problem continues")]
    assert f"ticket {new.id}, escalation" in note
    assert sandbox.violations == []
