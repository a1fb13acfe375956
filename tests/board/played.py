"""Three customers' escalations played through the real flows against the sandbox, for the
board's pages to be looked at: each customer writes on their Zendesk ticket (its event
subscription tells the bridge, naming the organisation and requester by id only), support
escalates from Slack (`/escalate` and the triage modal) or the agent marks the ticket in
Zendesk (the documented trigger), engineers are assigned and work from Slack, the SPAR and AR
are filed in Jira, development releases the fix and the customer clicks Accept. Names are then
learnt as the worker learns them, from Slack's ``users.info`` and Zendesk's organizations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox
from sandbox.embedded import SLACK_INTERACTIONS
from sandbox.slack import person
from tests.closure.sandboxed import Bridge, Developer, served_bridge
from tests.closure.test_helpdesk_trigger import Zendesk
from tests.helpers import TRIGGER_ANSWERS

TOKEN = "board-token-for-screenshots"
SUPPORT = "U0ALICE001"  # the sandbox's Slack user "alice"


@dataclass(frozen=True)
class Customer:
    """An organisation in Zendesk, the person who writes for it, and their ticket."""

    organisation_id: int
    organisation: str
    requester_id: int
    requester: str
    email: str
    subject: str
    priority: str  # Zendesk's; the bridge reads severity 1, 2, 3 from urgent, high, normal


@dataclass(frozen=True)
class Engineer:
    slack_id: str
    display_name: str


GLOBEX = Customer(
    610041, "Globex Corporation", 30500017, "Priya Natarajan", "priya@globex.example",
    "Orders stopped syncing to the warehouse", "urgent",
)  # fmt: skip
INITECH = Customer(
    610042, "Initech", 30500029, "Tom Smykowski", "tom@initech.example",
    "Invoices cannot be exported by anyone", "high",
)  # fmt: skip
UMBRELLA = Customer(
    610043, "Umbrella Health", 30500031, "Ruth Alvarez", "ruth@umbrella.example",
    "Nightly reports arrive two hours late", "normal",
)  # fmt: skip
CUSTOMERS = (GLOBEX, INITECH, UMBRELLA)
ERIN = Engineer("U0ERIN0001", "Erin Okafor")
SAM = Engineer("U0SAMLEE01", "Sam Lee")
ENGINEERS = (ERIN, SAM)


@dataclass
class Played:
    """What was played: the bridge, the sandbox and each customer's escalation id."""

    bridge: Bridge
    sandbox: Sandbox
    escalations: dict[Customer, int] = field(default_factory=dict)


def seed_people(sandbox: Sandbox) -> None:
    """The vendors' own records: Zendesk's organisations and end users, Slack's members."""
    zendesk = sandbox.zendesk
    with zendesk.lock:
        for customer in CUSTOMERS:
            zendesk.organizations[customer.organisation_id] = {
                "id": customer.organisation_id,
                "name": customer.organisation,
                "domain_names": [customer.email.split("@")[1]],
                "tags": ["enterprise"],
            }
            zendesk.users[customer.requester_id] = {
                "id": customer.requester_id,
                "name": customer.requester,
                "email": customer.email,
                "role": "end-user",
                "organization_id": customer.organisation_id,
            }
    for engineer in ENGINEERS:
        made = requests.post(
            f"{sandbox.urls['slack']}/_sandbox/users",
            json={
                "id": engineer.slack_id,
                "name": engineer.display_name,
                "email": f"{engineer.slack_id.lower()}@example.com",
            },
            timeout=10,
        )
        made.raise_for_status()


def settle(played: Played) -> None:
    played.sandbox.flush_webhooks()
    played.bridge.settle()


def customer_writes(played: Played, customer: Customer, body: str) -> int:
    """A new ticket of ``customer``'s, and their mail on it: Zendesk tells the bridge."""
    sandbox = played.sandbox
    with sandbox.zendesk.lock:
        ticket = sandbox.zendesk.seed_ticket(
            customer.subject,
            body,
            requester_id=customer.requester_id,
            organization_id=customer.organisation_id,
            priority=customer.priority,
        )
    reply = requests.post(
        f"{sandbox.urls['zendesk']}/_sandbox/tickets/{ticket.id}/customer_reply",
        json={"body": body},
        timeout=10,
    )
    reply.raise_for_status()
    settle(played)
    return ticket.id


def opened_for(played: Played, customer: Customer) -> int:
    """The escalation the bridge just opened, remembered as ``customer``'s."""
    with played.bridge.runtime.sessions() as session:
        newest = max(session.scalars(select(tables.Escalation.id)).all(), default=None)
    assert newest is not None and newest not in played.escalations.values(), (
        f"the bridge opened no escalation for {customer.organisation}"
    )
    played.escalations[customer] = newest
    return newest


def escalated_from_slack(
    played: Played, customer: Customer, ticket: int, *, production_down: bool
) -> int:
    answers = person.triage_values(
        reason="critical_business_impact",
        what_happened=customer.subject,
        production_down=production_down,
        users_affected=240 if production_down else 35,
        financial_loss="about USD 40k a day" if production_down else "none yet",
        contact=(customer.requester, "+1 555 0100", customer.email, "Mon-Fri 08:00-18:00 ET"),
    )
    person.escalate(played.sandbox, SUPPORT, f"zendesk:{ticket} {customer.subject}", answers)
    settle(played)
    return opened_for(played, customer)


def escalated_in_zendesk(played: Played, customer: Customer, ticket: int) -> int:
    """The agent fills in the triage fields and tags the ticket; the trigger tells the bridge."""
    zendesk = Zendesk(played.sandbox)
    ids = zendesk.trigger_escalation()
    custom = [{"id": ids[name], "value": value} for name, value in TRIGGER_ANSWERS.items()]
    zendesk.put(ticket, {"custom_fields": custom})
    zendesk.put(ticket, {"tags": ["escalation"]})
    settle(played)
    return opened_for(played, customer)


def step(played: Played, user: str, escalation_id: int, name: str, **values: object) -> None:
    person.take_step(played.sandbox, user, escalation_id, name, dict(values))
    settle(played)


def accept_the_fix(played: Played, ticket: int, version: str) -> None:
    """The customer follows the Accept link of the notice on their ticket and clicks Accept."""
    comments = played.sandbox.zendesk.tickets[ticket].comments
    told = f"available in version {version}"
    [notice] = [c.body for c in comments if c.public and told in c.body]
    found = re.search(r"^Accept: (\S+)$", notice, re.MULTILINE)
    assert found is not None, notice
    parts = urlsplit(found[1])
    link = f"{played.bridge.url}{parts.path}?{parts.query}"
    assert requests.post(link, data={"answer": "accept"}, timeout=10).status_code == 200
    settle(played)


def play(played: Played) -> None:
    bridge, sandbox = played.bridge, played.sandbox
    tomorrow = (utcnow().date() + dt.timedelta(days=1)).isoformat()

    # Globex: production is down. Escalated from Slack (Urgent), worked to the customer's Accept.
    ticket = customer_writes(played, GLOBEX, "Production is down: the warehouse cannot ship.")
    globex = escalated_from_slack(played, GLOBEX, ticket, production_down=True)
    step(played, SUPPORT, globex, "assign_engineer", engineer=person.picked_user(ERIN.slack_id))
    step(played, ERIN.slack_id, globex, "file_spar")
    step(
        played,
        ERIN.slack_id,
        globex,
        "status_update",
        text=person.typed("Reproduced: orders over 500 lines stop the sync"),
        visibility=person.chosen("public"),
    )
    step(
        played,
        ERIN.slack_id,
        globex,
        "propose_plan",
        kind=person.chosen("patch"),
        delivery_date=person.picked_date(tomorrow),
        summary=person.typed("Install patch 4.2.1, then restart the sync service"),
    )
    step(played, ERIN.slack_id, globex, "customer_answer", answer=person.chosen("accepted"))
    with bridge.runtime.sessions() as session:
        query = select(tables.ActionRequest.external_key).where(
            tables.ActionRequest.escalation_id == globex, tables.ActionRequest.kind == "ar"
        )
        ar = session.scalars(query).one()
    Developer(sandbox).release(ar, "4.2.1")
    settle(played)
    accept_the_fix(played, ticket, "4.2.1")

    # Initech: the agent marks the ticket in Zendesk (High Priority); Sam proposes a workaround.
    ticket = customer_writes(played, INITECH, "Nobody can export invoices since the upgrade.")
    initech = escalated_in_zendesk(played, INITECH, ticket)
    step(played, SUPPORT, initech, "assign_engineer", engineer=person.picked_user(SAM.slack_id))
    step(
        played,
        SAM.slack_id,
        initech,
        "status_update",
        text=person.typed("Exports fail on invoices with credit notes"),
        visibility=person.chosen("public"),
    )
    step(
        played,
        SAM.slack_id,
        initech,
        "propose_plan",
        kind=person.chosen("workaround"),
        summary=person.typed("Export credit notes separately until the fix"),
    )

    # Umbrella Health: escalated from Slack, no engineer yet.
    ticket = customer_writes(played, UMBRELLA, "The 6:00 reports now arrive at 8:00.")
    escalated_from_slack(played, UMBRELLA, ticket, production_down=False)

    # The worker's minute: the names of the ids open escalations show are asked of the vendors.
    bridge.runtime.performers.periodic["learn_names"](utcnow())


@contextmanager
def played_story(
    sandbox: Sandbox, directory: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Played]:
    """A bridge served beside ``sandbox``, its board open to ``TOKEN``, the story played."""
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "board-secret-key-for-screenshots")
    monkeypatch.setenv("BRIDGE_SLACK_SIGNING_SECRET", sandbox.webhook_secrets["slack"])
    seed_people(sandbox)
    with served_bridge(sandbox, directory, monkeypatch) as bridge:
        events = ("ticket.comment_added", "ticket.status_changed", "trigger.*")
        sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=events)
        commands = ("slash_command",)
        sandbox.register_webhook("slack", f"{bridge.url}/slack/commands", events=commands)
        interactions = f"{bridge.url}/slack/interactions"
        sandbox.register_webhook("slack", interactions, events=SLACK_INTERACTIONS)
        played = Played(bridge, sandbox)
        play(played)
        yield played
