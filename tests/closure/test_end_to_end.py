"""The whole loop against the sandbox, with the real clients and signed webhooks: development
releases the AR's fix version in Jira, the customer is told on the Zendesk ticket, answers on the
acceptance page, and Slack, Jira and Zendesk show the outcome."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests
from sqlalchemy import select

from bridge.config.resolution import ResolutionConfig, ShippedSignals, ShippedSignalsMapping
from bridge.domain.enums import PlanKind
from bridge.domain.plans import accept_plan
from bridge.domain.records import Escalation
from bridge.jobs.clock import utcnow
from bridge.services.workflow.steps import Said, propose
from bridge.store import tables
from sandbox import Sandbox

from ..services.conftest import add_ticket
from .sandboxed import Bridge, Developer, jira_comments
from .story import ENGINEER, escalate_to_accepted_plan


def escalated_with_ar(bridge: Bridge, sandbox: Sandbox) -> tuple[int, int, str]:
    """A Zendesk ticket escalated, its plan accepted, its SPAR and AR filed: (ticket, id, AR)."""
    ticket = next(iter(sandbox.zendesk.tickets))
    add_ticket(bridge.runtime, str(ticket))
    escalation_id = escalate_to_accepted_plan(bridge.runtime, str(ticket), utcnow())
    bridge.runtime.services.spar.open_spar(escalation_id, by=ENGINEER, cause="test", now=utcnow())
    bridge.settle()
    with bridge.runtime.sessions() as session:
        ar = session.scalars(
            select(tables.ActionRequest.external_key).where(tables.ActionRequest.kind == "ar")
        ).one()
    return ticket, escalation_id, ar


def answer_link(sandbox: Sandbox, ticket: int, version: str, label: str) -> str:
    """What the customer clicks, read from the public reply on their Zendesk ticket."""
    [notice] = [
        c.body
        for c in sandbox.zendesk.tickets[ticket].comments
        if c.public and f"available in version {version}" in c.body
    ]
    url = re.search(rf"^{label}: (\S+)$", notice, re.MULTILINE)
    assert url is not None
    parts = urlsplit(url[1])
    return f"{parts.path}?{parts.query}"


def click(bridge: Bridge, link: str, answer: str) -> str:
    page = requests.get(bridge.url + link, timeout=10)
    assert page.status_code == 200 and "Did the fix solve your problem?" in page.text
    done = requests.post(bridge.url + link, data={"answer": answer}, timeout=10)
    assert done.status_code == 200
    bridge.settle()
    return done.text


def thread(sandbox: Sandbox) -> list[str]:
    messages = sandbox.slack.world.in_channel(sandbox.credentials["slack"]["channel"])
    [head] = [m for m in messages if m.thread_ts is None]
    return [m.text for m in messages if m.thread_ts == head.ts]


def state(bridge: Bridge, escalation_id: int) -> tuple[str, list[str]]:
    with bridge.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None
        return row.state, list(session.scalars(select(tables.Spar.state)))


def test_the_customer_hears_of_the_release_accepts_and_the_spar_closes(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)

    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()

    assert state(bridge, escalation_id) == ("awaiting_customer", ["solution_available"])
    page = click(bridge, answer_link(sandbox, ticket, "4.2.1", "Accept"), "accept")

    assert "Thank you, your answer is recorded" in page
    assert state(bridge, escalation_id) == ("monitoring", ["closed"])
    assert any("The customer accepted the fix (version 4.2.1)" in t for t in thread(sandbox))
    comments = jira_comments(sandbox, ar)
    assert any("accepted the fix in version 4.2.1" in body for body in comments)
    notes = [c.body for c in sandbox.zendesk.tickets[ticket].comments if not c.public]
    assert any("Outcome: customer satisfied" in note for note in notes)
    assert sandbox.zendesk.tickets[ticket].status == "solved"


def record_key(bridge: Bridge, kind: str) -> str:
    with bridge.runtime.sessions() as session:
        return session.scalars(
            select(tables.ActionRequest.external_key).where(tables.ActionRequest.kind == kind)
        ).one()


def waiting_lists(sandbox: Sandbox, ar: str) -> list[str]:
    return [body for body in jira_comments(sandbox, ar) if "Tickets waiting on this AR" in body]


def test_accepting_the_fix_moves_the_spar_to_done_in_jira(bridge: Bridge, sandbox: Sandbox) -> None:
    ticket, _escalation_id, ar = escalated_with_ar(bridge, sandbox)
    spar = sandbox.jira.world.issue(record_key(bridge, "spar"))
    assert spar is not None and spar.status == "To Do"
    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()

    click(bridge, answer_link(sandbox, ticket, "4.2.1", "Accept"), "accept")

    assert (spar.status, spar.resolution) == ("Done", "Done")
    assert sandbox.jira.world.issue(ar).status == "To Do"  # close_ar_on_accept is off
    with bridge.runtime.sessions() as session:
        unsettled = session.scalars(
            select(tables.OutboxRow.operation).where(tables.OutboxRow.status != "done")
        ).all()
    assert unsettled == []


def test_developers_see_one_list_of_the_tickets_waiting_kept_up_to_date(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    [filed] = waiting_lists(sandbox, ar)
    assert filed.startswith("h4. Tickets waiting on this AR (1)")
    # The ticket with its subject, beside the link to its agent view.
    agent_view = f"{sandbox.urls['zendesk'].rstrip('/')}/agent/tickets/{ticket}"
    assert f"|zendesk:{ticket} " in filed and f" [{agent_view}]|" in filed

    # Another customer has the same problem: their escalation joins the AR.
    other = sandbox.zendesk.seed_ticket("Exports stop at 99%", "Same as the others.").id
    add_ticket(bridge.runtime, str(other))
    joining = escalate_to_accepted_plan(bridge.runtime, str(other), utcnow())
    shipped = bridge.runtime.services.shipped
    assert shipped.join_ar(joining, system="jira", key=ar, by=ENGINEER, now=utcnow())
    bridge.settle()
    [joined] = waiting_lists(sandbox, ar)
    assert joined.startswith("h4. Tickets waiting on this AR (2)")
    assert f"|zendesk:{ticket} " in joined and f"|zendesk:{other} " in joined
    assert re.search(r"Oldest SLA due: \d{4}-\d\d-\d\d \d\d:\d\d UTC\.", joined)
    # Its thread says who joined it, as a mention Slack shows by name.
    said = f"Same problem as jira:{ar}: this ticket hears of its fix (<@{ENGINEER}>)."
    assert said in [m.text for m in sandbox.slack.world.messages]

    # The first customer accepts the fix and waits no more; the same comment says so.
    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()
    click(bridge, answer_link(sandbox, ticket, "4.2.1", "Accept"), "accept")
    [after] = waiting_lists(sandbox, ar)
    assert after.startswith("h4. Tickets waiting on this AR (1)")
    assert f"|zendesk:{ticket} " not in after and f"|zendesk:{other} " in after
    assert state(bridge, escalation_id)[0] == "monitoring"


def test_still_broken_first_then_a_second_release_is_accepted(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    developer = Developer(sandbox)
    developer.release(ar, "4.2.1")
    bridge.settle()

    page = click(bridge, answer_link(sandbox, ticket, "4.2.1", "Still broken"), "still_broken")

    assert "Your case is reopened" in page
    assert state(bridge, escalation_id) == ("active", ["plan"])
    assert any("still broken after version 4.2.1" in t for t in thread(sandbox))
    comments = jira_comments(sandbox, ar)
    assert any("still broken" in body for body in comments)

    steps, now = bridge.runtime.services.steps, utcnow()
    plan = propose(
        steps,
        escalation_id,
        kind=PlanKind.PATCH,
        summary="Apply patch 4.2.2",
        delivery_date=now.date(),
        by=ENGINEER,
        cause="test",
        now=now,
    )

    def agree(escalation: Escalation) -> Said:
        accept_plan(escalation, plan, by="customer", cause="test", now=now)
        return Said("accepted")

    steps.run(escalation_id, "accept-again", agree, cause="test", now=now)
    developer.release(ar, "4.2.2")
    bridge.settle()
    click(bridge, answer_link(sandbox, ticket, "4.2.2", "Accept"), "accept")

    assert state(bridge, escalation_id) == ("monitoring", ["closed"])
    notices = [c.body for c in sandbox.zendesk.tickets[ticket].comments if "available in" in c.body]
    assert len(notices) == 2 and "Apply patch 4.2.2" in notices[1]


def test_our_own_change_in_jira_coming_back_is_not_taken_for_development(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    _ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    connector = bridge.runtime.connectors["jira"]
    developer = Developer(sandbox)
    developer.jira.create_version("4.3.0", project="DEV")
    developer.jira.issue(ar).update(fields={"fixVersions": [{"name": "4.3.0"}]})
    bridge.settle()
    before = list(thread(sandbox))

    # The bridge itself moves the AR to Done (as close_ar_on_accept does); Jira's webhook about
    # that move comes back signed and valid, but it is the bridge's own write.
    connector.move_to(connector.ref(ar), "Done")  # type: ignore[attr-defined]
    bridge.settle()

    assert thread(sandbox) == before
    assert state(bridge, escalation_id)[0] == "plan_accepted"


def test_a_jira_project_can_map_its_released_versions_to_fixed_in_code(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    only_fixed = ShippedSignalsMapping(fixed_in_code=["jira.version_released"])
    resolution = ResolutionConfig(signals=ShippedSignals(per_project={"DEV": only_fixed}))
    bridge.runtime.settings = bridge.runtime.settings.model_copy(update={"resolution": resolution})

    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()

    comments = sandbox.zendesk.tickets[ticket].comments
    assert not [c for c in comments if c.public and "available in" in c.body]
    assert any("Fixed in code" in c.body for c in comments if not c.public)
    assert state(bridge, escalation_id)[0] == "fix_shipped"
