"""The downtime fault proof's story and what it reads: the served bridge (``serve`` with its job
consumer) as a real process, the vendors' side of a downtime through the sandbox, and what
people see of it afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store import tables
from sandbox import Sandbox
from sandbox.runner import DEFAULT_CHANNEL, DEFAULT_REPO
from tests.closure.sandboxed import Developer
from tests.closure.story import ENGINEER, escalate_to_accepted_plan
from tests.closure.test_helpdesk_trigger import Zendesk
from tests.faults.processes import BridgeProcess, let_time_pass, wait_until
from tests.helpers import TRIGGER_ANSWERS
from tests.services.conftest import add_ticket

SIGNED = ("jira", "zendesk", "github")
CATCH_UP_MINUTES = 1
SAID = "Root cause found in the export batcher"
REPLY = "We still lose orders every hour."
MARKED = "was marked for escalation while the bridge was down"
# The three customers, each routed to a channel of its own: Slack takes one message a second
# per channel, so three channels let the escalations' posts go side by side.
CUSTOMERS = {
    "Customer Ltd": DEFAULT_CHANNEL,
    "Widgets Inc": "C0WIDGETS1",
    "Orders AG": "C0ORDERS01",
}


class Downtime:
    """The served bridge (``serve`` with its job consumer) and what the vendors show of it."""

    def __init__(self, sandbox: Sandbox, runtime: Runtime, env: dict[str, str], workdir: Path):
        self.sandbox, self.runtime, self.env, self.workdir = sandbox, runtime, env, workdir
        self.url = env["BRIDGE_PUBLIC_URL"]
        self.processes: list[BridgeProcess] = []

    def start(self) -> BridgeProcess:
        port = self.url.rsplit(":", 1)[-1]
        name = f"serve-{len(self.processes) + 1}"
        process = BridgeProcess(name, ["serve", "--port", port], self.env, self.workdir)
        self.processes.append(process)

        def served() -> bool:
            try:
                return requests.get(f"{self.url}/healthz", timeout=1).ok
            except requests.ConnectionError:
                return False

        wait_until(served, f"{name} answers /healthz", [process])
        return process

    def wait_idle(self, what: str) -> None:
        """Every delivery processed and every side effect performed (or given up). A thread
        reply queued before its head message was posted waits to retry: ``let_time_pass``
        brings such waits on, as in the other fault proofs."""

        def idle() -> bool:
            let_time_pass(self.runtime)
            with self.runtime.sessions() as session:
                inbox = session.scalar(
                    select(func.count())
                    .select_from(tables.InboxRow)
                    .where(tables.InboxRow.status.in_(("pending", "processing")))
                )
                outbox = session.scalar(
                    select(func.count())
                    .select_from(tables.OutboxRow)
                    .where(tables.OutboxRow.status.in_(("pending", "in_flight")))
                )
                return inbox == 0 and outbox == 0

        wait_until(idle, what, self.processes, timeout=45, interval=1.0)

    def dead_letters(self) -> list[tuple[str, str | None]]:
        with self.runtime.sessions() as session:
            rows = session.execute(
                select(tables.OutboxRow.operation, tables.OutboxRow.last_error).where(
                    tables.OutboxRow.status == "dead"
                )
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]

    # what the people see
    def channel(self) -> list[str]:
        """Every message of the customers' channels."""
        channels = set(CUSTOMERS.values())
        return [m.text for m in self.sandbox.slack.world.messages if m.channel in channels]

    def comments(self, ticket: int, *, public: bool) -> list[str]:
        found = self.sandbox.zendesk.tickets[ticket].comments
        return [c.body for c in found if c.public is public]

    def effects(self, waiting: list[int], commented: int, replied: int) -> dict[str, Any]:
        channel = self.channel()
        return {
            "notices": [
                len([c for c in self.comments(t, public=True) if "release v4.2.1" in c])
                for t in waiting
            ],
            "asked to triage": len([text for text in channel if MARKED in text]),
            "reply heard": len(
                [text for text in channel if f"The customer wrote on ticket {replied}" in text]
            ),
            "comment in thread": len([text for text in channel if SAID in text]),
            "comment as internal note": len(
                [n for n in self.comments(commented, public=False) if SAID in n]
            ),
        }

    def too_many_requests(self) -> list[str]:
        """Each request a vendor answered 429, as ``vendor METHOD path``."""
        return [
            f"{name} {recorded.method} {recorded.path}"
            for name, vendor in self.sandbox.vendors.items()
            for recorded in vendor.recorder.requests
            if recorded.status == 429
        ]

    def escalations_of(self, ticket: int) -> list[int]:
        with self.runtime.sessions() as session:
            return list(
                session.scalars(
                    select(tables.Escalation.id)
                    .join(tables.Ticket, tables.Ticket.id == tables.Escalation.ticket_id)
                    .where(tables.Ticket.external_id == str(ticket))
                )
            )

    def pending_requests(self) -> list[str]:
        with self.runtime.sessions() as session:
            return list(session.scalars(select(tables.PendingEscalationRequest.status)))

    def filed_ar(self) -> str | None:
        with self.runtime.sessions() as session:
            key: str | None = session.scalars(
                select(tables.ActionRequest.external_key).where(
                    tables.ActionRequest.kind == "ar",
                    tables.ActionRequest.external_key.is_not(None),
                )
            ).first()
            return key


def vendors_limits_on(sandbox: Sandbox) -> dict[str, dict[str, str]]:
    """Each vendor's own documented rate limits, enforced from now on (off by default)."""
    for vendor in sandbox.vendors.values():
        for name in vendor.limits.defaults:
            vendor.limits.enable(name)
    return {name: vendor.limits.active for name, vendor in sandbox.vendors.items()}


def drop_webhooks(sandbox: Sandbox) -> None:
    """The bridge is stopped: every webhook from now on is lost (kept to deliver late)."""
    for vendor in SIGNED:
        answer = requests.post(
            f"{sandbox.urls[vendor]}/_sandbox/webhooks/faults",
            json={"kind": "drop", "times": 100},
            timeout=10,
        )
        assert answer.status_code == 204


def set_up(downtime: Downtime, sandbox: Sandbox) -> tuple[list[int], str, Zendesk, int]:
    """Three customers' escalations waiting on one GitHub issue, the first with a Jira AR filed
    by its SPAR; the documented Zendesk trigger; the webhooks reaching the bridge."""
    runtime, repo = downtime.runtime, DEFAULT_REPO
    for vendor in SIGNED:
        events = ("trigger.*", "ticket.comment_added") if vendor == "zendesk" else ("*",)
        sandbox.register_webhook(vendor, f"{downtime.url}/webhooks/{vendor}", events=events)
    zendesk = Zendesk(sandbox)
    zendesk.answers = zendesk.trigger_escalation()  # type: ignore[attr-defined]
    for number, channel in enumerate(CUSTOMERS.values()):
        made = {"id": channel, "name": f"escalations-{number}"}
        requests.post(f"{sandbox.urls['slack']}/_sandbox/channels", json=made, timeout=10)
    tickets = [next(iter(sandbox.zendesk.tickets))]
    tickets += [
        sandbox.zendesk.seed_ticket(subject, "Same as the others.").id
        for subject in ("Exports stop at 99%", "Orders sync twice")
    ]
    ids = []
    for ticket, customer in zip(tickets, CUSTOMERS, strict=True):
        add_ticket(runtime, str(ticket), organisation=customer)
        ids.append(escalate_to_accepted_plan(runtime, str(ticket), utcnow()))
    runtime.services.spar.open_spar(ids[0], by=ENGINEER, cause="test", now=utcnow())
    wait_until(lambda: downtime.filed_ar() is not None, "the SPAR files its AR", downtime.processes)
    filed = requests.post(
        f"{sandbox.urls['github']}/repos/{repo}/issues",
        json={"title": "Orders stop syncing"},
        headers={"Authorization": f"token {sandbox.credentials['github']['token']}"},
        timeout=10,
    )
    assert filed.status_code == 201
    issue = int(filed.json()["number"])
    for escalation_id in ids:
        runtime.services.shipped.join_ar(
            escalation_id, system="github", key=f"{repo}#{issue}", by=ENGINEER, now=utcnow()
        )
    downtime.wait_idle("the escalations are posted and noted")
    ar = downtime.filed_ar()
    assert ar is not None
    return tickets, ar, zendesk, issue


def while_down(sandbox: Sandbox, zendesk: Zendesk, ar: str, issue: int, replied: int) -> int:
    """A release for the three, a ticket marked for escalation (triage fields, then the tag), a
    customer's reply, a developer's comment on the AR; returns the marked ticket."""
    control = f"{sandbox.urls['github']}/_sandbox"
    made = requests.post(
        f"{control}/repos/{DEFAULT_REPO}/releases",
        json={"tag_name": "v4.2.1", "body": f"Fixed: #{issue}"},
        timeout=10,
    )
    assert made.status_code == 201
    marked = sandbox.zendesk.seed_ticket("Checkout down", "Nobody can pay since 9:00.").id
    ids: dict[str, int] = zendesk.answers  # type: ignore[attr-defined]
    custom = [{"id": ids[name], "value": value} for name, value in TRIGGER_ANSWERS.items()]
    zendesk.put(marked, {"custom_fields": custom})
    zendesk.put(marked, {"tags": ["escalation"]})
    answer = requests.post(
        f"{sandbox.urls['zendesk']}/_sandbox/tickets/{replied}/customer_reply",
        json={"body": REPLY},
        timeout=10,
    )
    answer.raise_for_status()
    Developer(sandbox).jira.add_comment(ar, SAID)
    sandbox.flush_webhooks()
    return marked


def what_it_told(body: str) -> str:
    """A lost delivery named by what it told."""
    document = json.loads(body)
    if "release" in document:
        return "github release"
    if "webhookEvent" in document:
        return f"jira {document['webhookEvent']}"
    kind = str(document.get("type") or "trigger")
    return f"zendesk {kind.removeprefix('zen:event-type:ticket.')}"


def lost_so_far(sandbox: Sandbox) -> list[str]:
    """The bodies of the deliveries the vendors lost so far."""
    bodies = []
    for vendor in SIGNED:
        sent = requests.get(f"{sandbox.urls[vendor]}/_sandbox/webhooks/deliveries", timeout=10)
        bodies += [str(d["body"]) for d in sent.json() if d["dropped"]]
    return bodies
