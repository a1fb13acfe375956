"""One AR serves three customers' tickets: the release reaches each of them exactly once, even
when Jira's webhooks come twice and out of order, and each answers on their own page."""

from __future__ import annotations

import datetime as dt

import requests
from sqlalchemy import select

from bridge.domain.enums import Priority, Severity
from bridge.domain.records import Ticket
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store import tables
from bridge.store.escalations import EscalationStore
from sandbox import Sandbox

from .sandboxed import Bridge, Developer, jira_comments
from .story import ENGINEER, escalate_to_accepted_plan
from .test_end_to_end import answer_link, click

CUSTOMERS = ("Northwind", "Globex", "Initech")


def customer_ticket(runtime: Runtime, number: int, organisation: str) -> None:
    ticket = Ticket(
        external_id=str(number),
        requester=f"ops@{organisation.lower()}.example",
        organisation=organisation,
        subject=f"{organisation}: orders fail to sync",
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        opened_at=utcnow() - dt.timedelta(days=10),
        last_support_reply_at=utcnow() - dt.timedelta(days=9),
    )
    with runtime.sessions.begin() as session:
        EscalationStore(session).save_ticket("zendesk", ticket, utcnow())


def test_three_customers_on_one_ar_get_three_notices_and_give_three_answers(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    zendesk = sandbox.urls["zendesk"]
    numbers = [next(iter(sandbox.zendesk.tickets))] + [
        requests.post(
            f"{zendesk}/_sandbox/tickets", json={"subject": name, "description": "sync"}, timeout=10
        ).json()["id"]
        for name in CUSTOMERS[1:]
    ]
    escalations = []
    for number, organisation in zip(numbers, CUSTOMERS, strict=True):
        customer_ticket(bridge.runtime, number, organisation)
        escalations.append(escalate_to_accepted_plan(bridge.runtime, str(number), utcnow()))
    bridge.runtime.services.spar.open_spar(escalations[0], by=ENGINEER, cause="test", now=utcnow())
    bridge.settle()
    with bridge.runtime.sessions() as session:
        ar = session.scalars(
            select(tables.ActionRequest.external_key).where(tables.ActionRequest.kind == "ar")
        ).one()
    for other in escalations[1:]:
        assert bridge.runtime.services.shipped.join_ar(
            other, system="jira", key=ar, by=ENGINEER, now=utcnow()
        )

    bridge.settle()
    # Development sees one list of the three tickets on the AR, each with its customer.
    [waiting] = [body for body in jira_comments(sandbox, ar) if "waiting on this AR" in body]
    assert waiting.startswith("h4. Tickets waiting on this AR (3)")
    for number, organisation in zip(numbers, CUSTOMERS, strict=True):
        [row] = [line for line in waiting.splitlines() if line.startswith(f"|zendesk:{number} ")]
        assert f"|{organisation}" in row and "|1 \\(critical\\)" in row

    sandbox.vendors["jira"].webhooks.duplicate_next(times=5)
    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle(reverse=True)

    for number in numbers:
        notices = [
            c.body for c in sandbox.zendesk.tickets[number].comments if "available in" in c.body
        ]
        assert len(notices) == 1, f"ticket {number} got {len(notices)} notices"
        assert f"your ticket {number}" in notices[0]
    for number in numbers:
        assert "Thank you" in click(
            bridge, answer_link(sandbox, number, "4.2.1", "Accept"), "accept"
        )

    with bridge.runtime.sessions() as session:
        states = session.scalars(select(tables.Escalation.state)).all()
        answers = session.scalars(select(tables.ResolutionAnswer.answer)).all()
    assert states == ["monitoring"] * 3
    assert answers == ["accept"] * 3
    accepted = [body for body in jira_comments(sandbox, ar) if "accepted the fix" in body]
    assert len(accepted) == 3
    [waiting] = [body for body in jira_comments(sandbox, ar) if "waiting on this AR" in body]
    assert "No ticket is waiting on this AR any more." in waiting
