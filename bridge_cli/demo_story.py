"""The demo's story: the actors' moves (the support engineer, development, the customer), each
printed with where to see its result. ``support-bridge demo`` (``demo.py``) starts what it runs on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click
import requests

Say = Callable[[str], None]


class Story:
    """The actors' moves, each printed with where to see its result."""

    def __init__(self, runtime: Any, sandbox: Any, bridge_url: str, say: Say) -> None:
        self.runtime, self.sandbox, self.url, self.say = runtime, sandbox, bridge_url, say

    def settle(self) -> None:
        from bridge.jobs.engine import drain_here

        drain_here(self.runtime, rounds=30, before_each=self.sandbox.flush_webhooks)

    def on_the_board(self, escalation_id: int) -> str:
        """What the board at /board says of the escalation (as its JSON, with the demo's token)."""
        token = self.runtime.settings.api_token.get_secret_value()
        answer = requests.get(
            f"{self.url}/board",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=10,
        )
        rows = answer.json().get("escalations", []) if answer.ok else []
        shown = [row for row in rows if row.get("id") == escalation_id]
        if not shown:
            return f"{self.url}/board (HTTP {answer.status_code}: escalation not listed)"
        return f"{self.url}/board lists it: {shown[0].get('state')}, level {shown[0].get('level')}"

    def step(self, number: int, title: str, *lines: str) -> None:
        self.say(click.style(f"\n{number:>2}. {title}", bold=True))
        for line in lines:
            self.say(f"    {line}")

    def newest_escalation(self) -> int:
        from sqlalchemy import func, select

        from bridge.store import tables

        with self.runtime.sessions() as session:
            newest = session.scalar(select(func.max(tables.Escalation.id)))
        if newest is None:
            msg = "the Slack escalation did not reach the bridge"
            raise click.ClickException(msg)
        return int(newest)

    def state(self, escalation_id: int) -> str:
        from bridge.store import tables

        with self.runtime.sessions() as session:
            row = session.get(tables.Escalation, escalation_id)
            return f"{row.state}, level {row.level}, {row.classification or 'unclassified'}"


def play(story: Story) -> None:
    from sqlalchemy import select

    from bridge.jobs.clock import utcnow
    from bridge.store import tables
    from bridge.store.escalations import EscalationStore
    from sandbox.slack import person

    sandbox, runtime, urls = story.sandbox, story.runtime, story.sandbox.urls
    zendesk = urls["zendesk"]
    created = requests.post(
        f"{zendesk}/_sandbox/tickets",
        json={"subject": "Orders stopped syncing to the warehouse", "priority": "urgent"},
        timeout=10,
    ).json()
    number = str(created["id"])
    requests.post(
        f"{zendesk}/_sandbox/tickets/{number}/customer_reply",
        json={"body": "Production is down: the warehouse cannot ship since 9:00."},
        timeout=10,
    )
    story.settle()
    with runtime.sessions() as session:
        mirrored = EscalationStore(session).find_ticket(f"zendesk:{number}") is not None
    story.step(
        1,
        f"Ticket {number} arrives in Zendesk",
        f"{zendesk}/api/v2/tickets/{number}.json",
        f"mirrored by the bridge through Zendesk's webhook: {mirrored}",
    )

    now = utcnow()
    engineer = "U0ERIN0001"
    answers = person.triage_values(
        reason="critical_business_impact",
        what_happened="The warehouse cannot ship orders since this morning",
        production_down=True,
        users_affected=240,
        financial_loss="about USD 40k a day",
        contact=("Dana Ops", "+1 555 0100", "dana@customer.example", "Mon-Fri 08:00-18:00 ET"),
    )
    person.escalate(sandbox, "U0ALICE001", f"zendesk:{number} warehouse down", answers)
    story.settle()
    escalation_id = story.newest_escalation()
    story.step(
        2,
        "Alice runs /escalate in Slack and fills in the triage modal",
        f"{urls['slack']}/_sandbox/state (the modal the bridge opened)",
        f"escalation {escalation_id}: {story.state(escalation_id)}",
    )
    with runtime.sessions() as session:
        clocks = EscalationStore(session).clocks(escalation_id)
    story.step(
        3,
        "SLA clocks run on the ticket's business calendar",
        *(f"{c.target.kind.value}: due {c.due_at:%a %H:%M} UTC" for c in clocks),
    )

    person.take_step(
        sandbox,
        "U0ALICE001",
        escalation_id,
        "assign_engineer",
        {"engineer": person.picked_user(engineer)},
    )
    story.settle()
    runtime.services.spar.open_spar(escalation_id, by=engineer, cause="demo", now=now)
    story.settle()
    with runtime.sessions() as session:
        filed = {r.kind: r for r in session.scalars(select(tables.ActionRequest))}
    ar = filed["ar"].external_key
    story.step(
        4,
        "SPAR and AR filed in Jira, AR number noted on the ticket",
        f"SPAR {filed['spar'].external_key}: {filed['spar'].url}",
        f"AR {ar}: {filed['ar'].url}",
    )
    channel = sandbox.credentials["slack"]["channel"]
    story.step(
        5,
        "Slack: one head message, every step in its thread; the board lists the escalation",
        f"{urls['slack']}/_sandbox/channels/{channel}/messages",
        story.on_the_board(escalation_id),
    )

    plan = {
        "kind": person.chosen("patch"),
        "delivery_date": person.picked_date((now.date() + dt.timedelta(days=1)).isoformat()),
        "summary": person.typed("Install patch 4.2.1, then restart the sync service"),
    }
    person.take_step(sandbox, engineer, escalation_id, "propose_plan", plan)
    story.settle()
    # The customer said yes on the call; Erin records it from the escalation's menu.
    answer = {"answer": person.chosen("accepted")}
    person.take_step(sandbox, engineer, escalation_id, "customer_answer", answer)
    story.settle()
    story.step(
        6,
        "Erin proposes the action plan in Slack; the customer's yes is recorded there too",
        f"state: {story.state(escalation_id)}",
    )

    from jira import JIRA

    credentials = sandbox.credentials["jira"]
    developer = (credentials["developer_email"], credentials["developer_api_token"])
    jira = JIRA(server=urls["jira"], basic_auth=developer)
    version = jira.create_version("4.2.1", project="DEV")
    jira.issue(ar).update(fields={"fixVersions": [{"name": "4.2.1"}]})
    requests.post(f"{urls['jira']}/_sandbox/versions/{version.id}/release", timeout=10)
    story.settle()
    story.step(
        7,
        f"Development fixes {ar} in 4.2.1 and releases the version",
        f"state: {story.state(escalation_id)}",
    )

    ticket = sandbox.zendesk.tickets[int(number)]
    [notice] = [c.body for c in ticket.comments if c.public and "available in" in c.body]
    accept = next(line for line in notice.splitlines() if line.startswith("Accept: "))
    link = accept.removeprefix("Accept: ")
    story.step(8, "The customer is told on the Zendesk ticket", *notice.splitlines())

    page = requests.post(link, data={"answer": "accept"}, timeout=10)
    story.settle()
    story.step(
        9,
        "The customer clicks Accept on the acceptance page",
        link,
        f"page says: {'Thank you' if 'Thank you' in page.text else page.status_code}",
        f"state: {story.state(escalation_id)}",
    )

    agreed = {"agreement": person.typed("customer confirmed on the call")}
    person.take_step(sandbox, "U0MANAGER1", escalation_id, "close", agreed)
    story.settle()
    story.step(
        10,
        "The escalation manager closes it from Slack: customer satisfied",
        f"state: {story.state(escalation_id)}",
    )

    from bridge_cli.demo_helpdesk import escalate_from_zendesk

    escalate_from_zendesk(story)
