"""Names wherever people read an escalation, not only on the board: the Slack message and its
thread, the daily digest, the SPAR and AR filed in Jira and the AR's list of waiting tickets,
on data played through the sandbox. Zendesk's event subscription names the organisation by id
only; while Zendesk cannot be asked, the ticket keeps that id, and once the worker has learnt
the name (``known_names``) every text shows the name, read from what was remembered."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.helpdesk.zendesk_model import ORG_ID
from tests.board.test_people_names import ENGINEER, escalated_in_zendesk, worked_on
from tests.closure.sandboxed import Bridge, served_bridge
from tests.helpers import running_sandbox

RAW_ORGANISATION = str(ORG_ID)  # the sandbox's "Customer Corp", as Zendesk's events name it
SUBJECT = "Export fails for large files"
HOSTILE = "<!channel> *x* [link|http://evil] {code}"
# A Wednesday, a business day on every calendar, after the digest's 09:00 UTC; earlier than
# now, so that its post is due at once.
DIGEST_AT = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    monkeypatch.setenv("BRIDGE_SLACK_SIGNING_SECRET", sandbox.webhook_secrets["slack"])
    with served_bridge(sandbox, isolated_settings, monkeypatch) as served:
        yield served


def filed_and_digested(bridge: Bridge, escalation_id: int) -> None:
    """The SPAR and AR filed (the AR's waiting list and the message follow), then a day's
    digest."""
    bridge.runtime.services.spar.open_spar(escalation_id, by=ENGINEER, cause="t", now=utcnow())
    bridge.settle()
    assert bridge.runtime.services.sla.digest_tick(DIGEST_AT)
    bridge.settle()


def slack_texts(sandbox: Sandbox) -> dict[str, Any]:
    """What Slack shows: the head message (its blocks as they stand and its notification
    text), the thread's replies and the digest."""
    messages = sandbox.slack.world.messages
    [head] = [m for m in messages if m.blocks and m.thread_ts is None]
    [digest] = [m.text for m in messages if m.text.startswith("Daily digest")]
    return {
        "head": str(head.blocks),
        "notification": head.text,
        "thread": [m.text for m in messages if m.thread_ts == head.ts],
        "digest": digest,
    }


def tracker_texts(sandbox: Sandbox) -> dict[str, str]:
    """The SPAR's and the AR's descriptions and the AR's waiting list, as Jira keeps them."""
    spar, ar = sandbox.jira.world.issue("SUP-1"), sandbox.jira.world.issue("DEV-1")
    assert spar is not None and ar is not None
    [waiting] = [c.body for c in ar.comments if "Tickets waiting on this AR" in c.body]
    return {
        "spar": spar.fields["description"],
        "ar": ar.fields["description"],
        "waiting": waiting,
    }


def stored_organisation(bridge: Bridge) -> str | None:
    with bridge.runtime.sessions() as session:
        query = select(tables.Ticket.organization).where(tables.Ticket.external_id == "100")
        return session.scalars(query).one()


def test_every_text_names_the_customer_the_engineer_and_the_ticket_never_their_ids(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    # Zendesk cannot be asked for the organisation while the escalation is worked on.
    sandbox.zendesk.faults.add(Fault(route="GET /api/v2/organizations/*", status=503))
    escalation_id = escalated_in_zendesk(bridge, sandbox)
    worked_on(bridge, sandbox, escalation_id)
    assert stored_organisation(bridge) == RAW_ORGANISATION  # the event's id, kept as it came
    sandbox.zendesk.faults.clear()
    assert bridge.runtime.performers.periodic["learn_names"](utcnow()) == 1  # the organisation
    filed_and_digested(bridge, escalation_id)

    slack, tracker = slack_texts(sandbox), tracker_texts(sandbox)
    agent_view = f"{sandbox.urls['zendesk'].rstrip('/')}/agent/tickets/100"

    head = slack["head"]
    assert f"*Ticket <{agent_view}|100>*  {SUBJECT}" in head
    for fact in (
        "*Customer:* Customer Corp",
        "*Requester:* casey@customer.example",
        f"*Engineer:* <@{ENGINEER}>",  # Slack shows the mention as Bob's display name
        "*Severity:* 3 (minor)",
        "*Classification:* Urgent",
    ):
        assert fact in head
    assert slack["notification"] == (
        f"Escalation {escalation_id}: ticket 100 {SUBJECT} for Customer Corp "
        "(severity 3 (minor), Urgent)"
    )
    assert slack["thread"][0].startswith(
        f"Escalation opened for ticket 100 {SUBJECT} for Customer Corp at level 1"
    )
    assert f"<@{ENGINEER}> is the escalation engineer and primary contact" in slack["thread"]
    assert (
        f"(ticket <{agent_view}|100> {SUBJECT} · Customer Corp (casey@customer.example) · "
        f"severity 3 (minor) · *Urgent*): level 1, plan_proposed, engineer <@{ENGINEER}>,"
    ) in slack["digest"]

    for kind in ("spar", "ar"):
        description = tracker[kind].splitlines()
        assert f"*Customer ticket:* zendesk:100 [{agent_view}]" in description
        for row in (
            f"|Ticket|100: {SUBJECT}|",
            "|Customer|Customer Corp|",
            "|Requester|casey\\@customer.example|",
            "|Engineer|bob|",  # Bob's Slack display name: Jira shows no Slack mention
            "|Severity|3 \\(minor\\)|",
            "|Classification|Urgent|",
        ):
            assert row in description
    assert (
        f"|zendesk:100 {SUBJECT} [{agent_view}]|Customer Corp \\(casey\\@customer.example\\)|"
        "3 \\(minor\\), Urgent|"
    ) in tracker["waiting"]

    for text in [*slack.values(), *tracker.values()]:
        assert RAW_ORGANISATION not in str(text)
    assert not re.search(r"\bU0BOBDEV01\b(?!>)", str(tracker))  # never a bare Slack id


def test_an_organisation_named_like_markup_is_shown_as_text_everywhere(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    sandbox.zendesk.organizations[ORG_ID]["name"] = HOSTILE
    escalation_id = escalated_in_zendesk(bridge, sandbox)
    worked_on(bridge, sandbox, escalation_id)
    assert stored_organisation(bridge) == HOSTILE
    filed_and_digested(bridge, escalation_id)

    slack, tracker = slack_texts(sandbox), tracker_texts(sandbox)

    # Slack: the name reads as typed and pings no one.
    for text in [slack["head"], slack["notification"], *slack["thread"], slack["digest"]]:
        assert "<!channel>" not in text
    shown = "&lt;!channel&gt; *x* [link|http://evil] {code}"
    assert f"*Customer:* {shown}" in slack["head"]
    assert f"· {shown} (casey@customer.example) ·" in slack["digest"]
    # Jira: every markup character escaped, no link made (a joiner follows "http:").
    written = "\\[link\\|http:\u200d//evil\\] \\{code\\}"
    for kind in ("spar", "ar", "waiting"):
        assert written in tracker[kind]
        assert "{code}" not in tracker[kind] and "[link|" not in tracker[kind]
        assert "http://evil" not in tracker[kind]
