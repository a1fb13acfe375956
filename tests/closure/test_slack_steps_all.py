"""Every step of ``FORMS`` from Slack, end to end through the sandbox: the step's button or its
"More steps" entry → ``views.open`` seen by the sandbox → ``view_submission`` → the escalation
changes in the bridge → its thread (and, where it shows the change, its head message) says so.
Each step is also refused somewhere here: to someone without its role (an ephemeral note, no
form), or by the procedure (a direct message to the person, nothing changed)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bridge.catalogue import STEPS
from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox
from sandbox.slack import person
from webhooks.slack.permissions import BUTTON_LABELS
from webhooks.slack.step_forms import FORMS

from ..services.conftest import add_ticket
from . import test_slack_steps
from .conftest import state_of
from .sandboxed import Bridge
from .test_slack_steps import (
    ALICE,
    ERIN,
    MANAGER,
    escalated_in_slack,
    head,
    thread,
    told,
)

slack_signing = test_slack_steps.slack_signing  # the fixture, shared

CHANNEL = "C0SUPPORT01"


def today() -> str:
    return utcnow().date().isoformat()


def step(
    bridge: Bridge, sandbox: Sandbox, user: str, escalation_id: int, name: str, **values: Any
) -> dict[str, Any]:
    """``user`` takes step ``name`` from Slack and the bridge processes it; returns the form."""
    opened = len(sandbox.slack.world.views)
    form = person.take_step(sandbox, user, escalation_id, name, values)
    bridge.settle()
    assert len(sandbox.slack.world.views) == opened + 1  # views.open, seen by the sandbox
    assert form["callback_id"] == "escalation_step"
    assert [block["block_id"] for block in form["blocks"]] == [f.block for f in FORMS[name].fields]
    return form


DOING = {declared.name: declared.doing for declared in STEPS}
DOING_NOUN = {"status_update": "status update", "rca_progress": "root-cause analysis progress"}


def refused(
    bridge: Bridge, sandbox: Sandbox, user: str, escalation_id: int, name: str, **values: Any
) -> str:
    """``user`` takes a step the procedure refuses: the one new direct message they get."""
    before = told(sandbox, user)
    state = state_of(bridge.runtime, escalation_id)
    replies = thread(sandbox)
    step(bridge, sandbox, user, escalation_id, name, **values)
    assert state_of(bridge.runtime, escalation_id) == state  # nothing applied
    assert thread(sandbox) == replies  # nothing said in the thread
    [note] = told(sandbox, user)[len(before) :]
    assert note.startswith(f"Could not {DOING[name]}: ")
    return note


def said(sandbox: Sandbox, start: str) -> str:
    """The one thread reply that starts with ``start``."""
    [text] = [text for text in thread(sandbox) if text.startswith(start)]
    return text


def rejections_on(sandbox: Sandbox, ar: str) -> list[str]:
    """The comments on the AR that tell development of a rejected plan."""
    issue = sandbox.jira.world.issue(ar)
    assert issue is not None
    return [c.body for c in issue.comments if "rejected action plan" in c.body]


def eventually(found: Callable[[], list[str]]) -> list[str]:
    deadline = time.monotonic() + person.MODAL_WAIT_SECONDS
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return result


def escalated_too(bridge: Bridge, sandbox: Sandbox, subject: str, *, production_down: bool) -> int:
    """A second ticket escalated from Slack (after ``escalated_in_slack``); its escalation id."""
    ticket = sandbox.zendesk.seed_ticket(subject, "Reports are late every morning.")
    add_ticket(bridge.runtime, str(ticket.id))
    answers = person.triage_values(
        reason="critical_business_impact",
        what_happened=subject,
        production_down=production_down,
        users_affected=12,
        financial_loss="none yet",
        contact=("Dana Ops", "+1 555 0100", "dana@customer.example", "Mon-Fri 08:00-18:00 ET"),
    )
    person.escalate(sandbox, ALICE, f"zendesk:{ticket.id} reports", answers)
    bridge.settle()
    with bridge.runtime.sessions() as session:
        return max(session.scalars(select(tables.Escalation.id)).all())


def test_engineer_communication_updates_spar_rca_and_remote_session_in_slack(
    slack_signing: None, bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_slack(bridge, sandbox)  # production down: Urgent
    assert "*Classification:* Urgent" in head(sandbox, escalation_id)

    step(
        bridge, sandbox, ALICE, escalation_id, "assign_engineer", engineer=person.picked_user(ERIN)
    )
    assert state_of(bridge.runtime, escalation_id) == "active"
    assert f"<@{ERIN}> is the escalation engineer and primary contact" in thread(sandbox)
    assert f"*Engineer:* <@{ERIN}>" in head(sandbox, escalation_id)
    note = refused(
        bridge,
        sandbox,
        MANAGER,
        escalation_id,
        "assign_engineer",
        engineer=person.picked_user(ALICE),
    )
    assert note.endswith("'active': step 'activate' is not allowed from there")

    step(
        bridge,
        sandbox,
        ERIN,
        escalation_id,
        "communication_plan",
        mode=person.chosen("conference_call"),
        every_hours=person.number(24),
        attendees=person.typed("Dana Ops, Erin"),
    )
    assert said(sandbox, "Communication plan: conference call every 1 day").endswith(
        "with Dana Ops, Erin"
    )

    public = "Exports are disabled while we test the fix"
    step(
        bridge,
        sandbox,
        ERIN,
        escalation_id,
        "status_update",
        text=person.typed(public),
        visibility=person.chosen("public"),
    )
    internal = "Development reproduced it on a 3 GB export"
    step(
        bridge,
        sandbox,
        ERIN,
        escalation_id,
        "status_update",
        text=person.typed(internal),
        visibility=person.chosen("internal"),
    )
    assert f"Status update: {public}" in thread(sandbox)
    assert f"Status update (internal): {internal}" in thread(sandbox)
    [ticket] = sandbox.zendesk.tickets.values()
    comments = [(comment.body, comment.public) for comment in ticket.comments]
    assert (public, True) in comments  # a public reply to the customer
    assert (f"{internal}\n\n(Support Bridge)", False) in comments  # an internal note

    # The form starts at the ticket's severity; the engineer picks the one agreed with Dana.
    form = step(bridge, sandbox, ERIN, escalation_id, "file_spar", severity=person.chosen("2"))
    [severity] = form["blocks"]
    assert severity["element"]["initial_option"]["value"] == "1"
    assert severity["hint"]["text"].startswith("The ticket's severity is 1;")
    assert (
        "SPAR 1 opened (severity 2); filing it in jira. Agreed with the customer; the ticket's "
        "severity is 1." in thread(sandbox)
    )
    assert said(sandbox, "SPAR SUP-1 filed: ")
    assert said(sandbox, "AR DEV-1 filed: ")
    for key in ("SUP-1", "DEV-1"):  # what development reads: the agreed severity
        issue = sandbox.jira.world.issue(key)
        assert issue is not None
        assert "|Severity|2 \\(major\\)|" in issue.fields["description"]
        assert "|Ticket severity|1 \\(critical\\)|" in issue.fields["description"]
    assert "|SUP-1>  AR <" in head(sandbox, escalation_id)

    step(bridge, sandbox, ERIN, escalation_id, "rca_progress", on_track=person.chosen("on_track"))
    assert f"Root-cause analysis on track (<@{ERIN}>)" in thread(sandbox)

    step(
        bridge,
        sandbox,
        ERIN,
        escalation_id,
        "remote_session",
        held_on=person.picked_date(today()),
        attendees=person.typed("Dana Ops, Erin"),
        outcome=person.typed("Reproduced the stop at 99% together"),
    )
    assert said(sandbox, f"Remote session on {today()} 00:00 UTC with Dana Ops, Erin: ").endswith(
        f"Reproduced the stop at 99% together (<@{ERIN}>)"
    )
    assert sandbox.violations == []


def test_plans_answers_and_closing_of_an_escalation_in_slack(
    slack_signing: None, bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_slack(bridge, sandbox)
    step(
        bridge, sandbox, ALICE, escalation_id, "assign_engineer", engineer=person.picked_user(ERIN)
    )

    step(bridge, sandbox, ERIN, escalation_id, "file_spar")  # at the ticket's severity
    assert said(sandbox, "AR DEV-1 filed: ")

    workaround = {
        "kind": person.chosen("workaround"),
        "summary": person.typed("Split exports into 1 GB parts"),
    }
    step(bridge, sandbox, ERIN, escalation_id, "propose_plan", **workaround)
    assert state_of(bridge.runtime, escalation_id) == "plan_proposed"
    assert "*State:* plan_proposed" in head(sandbox, escalation_id)
    note = refused(bridge, sandbox, MANAGER, escalation_id, "propose_plan", **workaround)
    assert "'plan_proposed': step 'propose_plan' is not allowed" in note

    rejected = {
        "answer": person.chosen("rejected"),
        "reason": person.typed("Parts break their import"),
    }
    step(bridge, sandbox, MANAGER, escalation_id, "customer_answer", **rejected)
    assert state_of(bridge.runtime, escalation_id) == "renegotiating"
    assert "*State:* renegotiating" in head(sandbox, escalation_id)
    assert "The customer rejected plan-1: Parts break their import. Back to development." in (
        thread(sandbox)
    )
    # Development, who renegotiate the plan, read it on the AR, in the customer's words (ours
    # are plain text, escaped for wiki markup: Jira shows "plan-1").
    told_on_ar = rejections_on(sandbox, "DEV-1")
    assert told_on_ar == [
        f"The customer rejected action plan plan\\-1 of escalation {escalation_id}; the plan is "
        "to be renegotiated with support. The customer's reason:\n{noformat}\nParts break "
        "their import\n{noformat}\n\n(posted by Support Bridge)"
    ]
    assert f"Renegotiating the action plan with development (<@{MANAGER}>)" in thread(sandbox)

    patch = {
        "kind": person.chosen("patch"),
        "delivery_date": person.picked_date(today()),
        "summary": person.typed("Stream exports over 2 GB"),
    }
    step(bridge, sandbox, ERIN, escalation_id, "propose_plan", **patch)
    assert state_of(bridge.runtime, escalation_id) == "plan_proposed"
    assert said(sandbox, "Proposed plan-2. Action plan (patch, delivery ")

    accepted = {"answer": person.chosen("accepted")}
    step(bridge, sandbox, MANAGER, escalation_id, "customer_answer", **accepted)
    assert state_of(bridge.runtime, escalation_id) == "plan_accepted"
    assert "*State:* plan_accepted" in head(sandbox, escalation_id)
    assert f"The customer accepted plan-2 (<@{MANAGER}>)" in thread(sandbox)
    note = refused(bridge, sandbox, MANAGER, escalation_id, "customer_answer", **accepted)
    assert note.endswith("no action plan is waiting for the customer's answer")
    note = refused(bridge, sandbox, MANAGER, escalation_id, "customer_answer", **rejected)
    assert note.endswith("no action plan is waiting for the customer's answer")
    assert rejections_on(sandbox, "DEV-1") == told_on_ar  # told once

    step(bridge, sandbox, ERIN, escalation_id, "rca_progress", on_track=person.chosen("on_track"))
    agreement = person.typed("Dana agrees: the patch is enough")
    step(bridge, sandbox, MANAGER, escalation_id, "de_escalate", agreement=agreement)
    assert state_of(bridge.runtime, escalation_id) == "de_escalated"
    assert "*State:* de_escalated" in head(sandbox, escalation_id)
    assert "De-escalated by agreement: Dana agrees: the patch is enough" in thread(sandbox)
    # The agreement is documented in the support request: a reply the customer sees (003).
    [ticket] = sandbox.zendesk.tickets.values()
    replies = [comment.body for comment in ticket.comments if comment.public]
    assert replies.count("De-escalated: Dana agrees: the patch is enough") == 1

    step(bridge, sandbox, MANAGER, escalation_id, "close", agreement=person.typed("Dana: close it"))
    assert state_of(bridge.runtime, escalation_id) == "closed"
    assert "*State:* closed" in head(sandbox, escalation_id)
    assert f"Closed by <@{MANAGER}>: customer satisfied (Dana: close it)." in thread(sandbox)

    # A closed escalation takes none of these any more: each is answered to the person.
    for name, values in {
        "close": {"agreement": person.typed("Dana: close it")},
        "mark_resolved": {"outcome": person.chosen("customer_satisfied")},
        "communication_plan": {"mode": person.chosen("email"), "every_hours": person.number(8)},
        "file_spar": {},
        "de_escalate": {"agreement": agreement},
    }.items():
        note = refused(bridge, sandbox, MANAGER, escalation_id, name, **values)
        assert note.endswith("is not allowed from there"), note
        assert f"escalation {escalation_id} is 'closed'" in note
    for name, values in {
        "status_update": {"text": person.typed("late"), "visibility": person.chosen("public")},
        "rca_progress": {"on_track": person.chosen("on_track")},
    }.items():
        note = refused(bridge, sandbox, MANAGER, escalation_id, name, **values)
        assert note.endswith(
            f"escalation {escalation_id} is closed: no {DOING_NOUN[name]} any more"
        )
    assert "More steps" not in head(sandbox, escalation_id)  # the message offers no more steps
    assert sandbox.violations == []


def test_remote_session_refused_and_mark_resolved_on_a_high_priority_escalation(
    slack_signing: None, bridge: Bridge, sandbox: Sandbox
) -> None:
    urgent = escalated_in_slack(bridge, sandbox)
    escalation_id = escalated_too(bridge, sandbox, "Reports are late", production_down=False)
    assert escalation_id != urgent
    assert "*Classification:* High Priority" in head(sandbox, escalation_id)

    note = refused(
        bridge,
        sandbox,
        ALICE,
        escalation_id,
        "remote_session",
        held_on=person.picked_date(today()),
        attendees=person.typed("Dana Ops"),
        outcome=person.typed("Looked at the report queue"),
    )
    assert "a remote session is a step of an Urgent escalation" in note
    resolved = {
        "outcome": person.chosen("explained_not_possible"),
        "explanation": person.typed("Reports run after the nightly batch by design"),
    }
    note = refused(bridge, sandbox, ALICE, escalation_id, "mark_resolved", **resolved)
    assert "'triaged': step 'close' is not allowed from there" in note
    note = refused(bridge, sandbox, ALICE, escalation_id, "close", agreement=person.typed("ok"))
    assert "'triaged': step 'close' is not allowed from there" in note

    step(
        bridge, sandbox, ALICE, escalation_id, "assign_engineer", engineer=person.picked_user(ERIN)
    )
    step(bridge, sandbox, ERIN, escalation_id, "mark_resolved", **resolved)
    assert state_of(bridge.runtime, escalation_id) == "closed"
    assert "*State:* closed" in head(sandbox, escalation_id)
    assert (
        f"Closed by <@{ERIN}>: explained not possible: Reports run after the nightly batch by "
        "design." in thread(sandbox)
    )
    assert state_of(bridge.runtime, urgent) == "triaged"  # the other one is untouched
    assert sandbox.violations == []


@pytest.fixture
def only_the_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step of a form may be taken by the manager only (before ``bridge`` is built)."""
    for name in FORMS:
        monkeypatch.setenv(f"BRIDGE_ROLES__{name.upper()}", f'["{MANAGER}"]')


def test_a_step_without_its_role_opens_no_form_and_says_who_may(
    slack_signing: None, only_the_manager: None, bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_slack(bridge, sandbox)
    views = dict(sandbox.slack.world.views)
    for name in FORMS:
        person.press_step(sandbox, ALICE, escalation_id, name)
        expected = f"Only <@{MANAGER}> may press {BUTTON_LABELS[name]} on escalations."
        notes = eventually(
            lambda note=expected: [t for t in ephemeral(sandbox, ALICE) if t == note]
        )
        assert notes == [expected], name
    bridge.settle()
    assert sandbox.slack.world.views == views  # no form opened
    assert state_of(bridge.runtime, escalation_id) == "triaged"
    assert told(sandbox, ALICE) == []

    # The manager may: the same press opens the form and the step is taken.
    step(
        bridge,
        sandbox,
        MANAGER,
        escalation_id,
        "assign_engineer",
        engineer=person.picked_user(ERIN),
    )
    assert state_of(bridge.runtime, escalation_id) == "active"
    assert f"*Engineer:* <@{ERIN}>" in head(sandbox, escalation_id)
    assert sandbox.violations == []


def ephemeral(sandbox: Sandbox, user: str) -> list[str]:
    """Notes in the escalation channel only ``user`` sees."""
    return [m.text for m in sandbox.slack.world.in_channel(CHANNEL) if m.ephemeral_to == user]
