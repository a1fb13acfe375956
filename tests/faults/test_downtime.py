"""The bridge stopped while the vendors go on: the process that starts again finds what it missed
through catch-up, as real processes on the embedded engine, each effect once, within the
vendors' own rate limits, and once still when the lost webhooks are delivered late after all.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import func, select

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store import tables
from bridge.store.tables import CatchUpWatermark, InboxRow
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from sandbox.runner import DEFAULT_CHANNEL, DEFAULT_REPO
from tests.closure.sandboxed import Developer
from tests.closure.story import ENGINEER, escalate_to_accepted_plan
from tests.closure.test_catch_up_ars import late_deliveries
from tests.closure.test_helpdesk_trigger import Zendesk
from tests.faults.processes import (
    BridgeProcess,
    bridge_env,
    free_port,
    let_time_pass,
    wait_until,
)
from tests.helpers import TRIGGER_ANSWERS
from tests.services.conftest import add_ticket
from tests.webhooks.signing import secret_variable

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


@pytest.fixture
def env(sandbox: Sandbox, isolated_settings: Path) -> dict[str, str]:
    """A bridge.yaml naming the sandbox (every connector but e-mail, Jira the tracker, catch-up
    every minute), the data in the work directory, the webhooks' secrets and a port to serve."""
    connectors = connector_settings(sandbox)
    del connectors["email"]
    config = {
        "routing": {
            "default_channel": DEFAULT_CHANNEL,
            "default_tracker": "jira",
            "rules": [
                {"match": {"customer": [customer]}, "channel": channel}
                for customer, channel in CUSTOMERS.items()
                if channel != DEFAULT_CHANNEL
            ],
        },
        "catch_up": {"every_minutes": CATCH_UP_MINUTES},
        "connectors": connectors,
    }
    config_path = isolated_settings / "bridge.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    settings = {
        "CONFIG": str(config_path),
        "DATA_DIR": str(isolated_settings / "var"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CONSUMER_THREADS": "4",
    }
    settings |= {
        secret_variable(vendor).removeprefix("BRIDGE_"): sandbox.webhook_secrets[vendor]
        for vendor in SIGNED
    }
    return bridge_env(settings)


def _watermarked(runtime: Runtime) -> bool:
    with runtime.sessions() as session:
        return session.get(CatchUpWatermark, ("github", DEFAULT_REPO)) is not None


def _release_rows(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        rows = session.scalars(select(InboxRow).where(InboxRow.event_type == "release.published"))
        return [row.status for row in rows]


def test_a_worker_started_after_downtime_catches_up_on_the_release_it_missed(
    sandbox: Sandbox, runtime: Runtime, env: dict[str, str], isolated_settings: Path
) -> None:
    first = BridgeProcess("worker-1", ["worker", "--threads", "1"], env, isolated_settings)
    try:
        wait_until(lambda: _watermarked(runtime), "the first start records a watermark", [first])
    finally:
        first.stop()

    # The bridge is down: no webhook reaches it while the release ships.
    control = f"{sandbox.urls['github']}/_sandbox/repos/{DEFAULT_REPO}/releases"
    made = requests.post(control, json={"tag_name": "v9.9.9", "body": "Fixed: #7"}, timeout=10)
    assert made.status_code == 201
    assert _release_rows(runtime) == []

    second = BridgeProcess("worker-2", ["worker", "--threads", "1"], env, isolated_settings)
    try:
        wait_until(
            lambda: _release_rows(runtime) in (["done"], ["ignored"]),
            "the missed release is stored and processed",
            [second],
        )
        assert "caught up on 1 event(s) sent while the bridge was down" in second.output()
    finally:
        second.stop()


# -- the whole downtime: a release, a marked ticket, a customer's reply, a developer's comment --


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


@pytest.fixture
def downtime(
    sandbox: Sandbox, runtime: Runtime, env: dict[str, str], isolated_settings: Path
) -> Any:
    running = Downtime(sandbox, runtime, env, isolated_settings)
    try:
        yield running
    finally:
        for process in running.processes:
            process.stop()


def _vendors_limits_on(sandbox: Sandbox) -> dict[str, dict[str, str]]:
    """Each vendor's own documented rate limits, enforced from now on (off by default)."""
    for vendor in sandbox.vendors.values():
        for name in vendor.limits.defaults:
            vendor.limits.enable(name)
    return {name: vendor.limits.active for name, vendor in sandbox.vendors.items()}


def _drop_webhooks(sandbox: Sandbox) -> None:
    """The bridge is stopped: every webhook from now on is lost (kept to deliver late)."""
    for vendor in SIGNED:
        answer = requests.post(
            f"{sandbox.urls[vendor]}/_sandbox/webhooks/faults",
            json={"kind": "drop", "times": 100},
            timeout=10,
        )
        assert answer.status_code == 204


def _set_up(downtime: Downtime, sandbox: Sandbox) -> tuple[list[int], str, Zendesk, int]:
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


def _while_down(sandbox: Sandbox, zendesk: Zendesk, ar: str, issue: int, replied: int) -> int:
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


def _what(body: str) -> str:
    """A lost delivery named by what it told."""
    document = json.loads(body)
    if "release" in document:
        return "github release"
    if "webhookEvent" in document:
        return f"jira {document['webhookEvent']}"
    kind = str(document.get("type") or "trigger")
    return f"zendesk {kind.removeprefix('zen:event-type:ticket.')}"


def _lost(sandbox: Sandbox) -> list[str]:
    """The bodies of the deliveries the vendors lost so far."""
    bodies = []
    for vendor in SIGNED:
        sent = requests.get(f"{sandbox.urls[vendor]}/_sandbox/webhooks/deliveries", timeout=10)
        bodies += [str(d["body"]) for d in sent.json() if d["dropped"]]
    return bodies


@pytest.mark.parametrize("late", [False, True], ids=["lost", "late"])
def test_everything_sent_while_the_bridge_was_stopped_acts_once_when_it_starts_again(
    sandbox: Sandbox, downtime: Downtime, late: bool
) -> None:
    limits = _vendors_limits_on(sandbox)
    assert limits["slack"] == {"post_per_channel": "1/second"}
    first = downtime.start()
    tickets, ar, zendesk, issue = _set_up(downtime, sandbox)
    replied = tickets[1]
    first.stop()

    _drop_webhooks(sandbox)
    marked = _while_down(sandbox, zendesk, ar, issue, replied)

    lost_while_down = _lost(sandbox)
    started = time.monotonic()
    second = downtime.start()
    expected = {
        "notices": [1, 1, 1],
        "asked to triage": 1,
        "reply heard": 1,
        "comment in thread": 1,
        "comment as internal note": 1,
    }
    wait_until(
        lambda: downtime.effects(tickets, tickets[0], replied) == expected,
        "every effect of the downtime is seen",
        [second],
        timeout=CATCH_UP_MINUTES * 60,
    )
    caught_up = time.monotonic() - started
    downtime.wait_idle("nothing is left to do")
    assert "event(s) sent while the bridge was down" in second.output()
    assert downtime.effects(tickets, tickets[0], replied) == expected
    assert downtime.escalations_of(marked) == []
    assert downtime.pending_requests() == ["pending"]

    if late:
        late_answers = {
            body: status
            for vendor in SIGNED
            for body, status in late_deliveries(sandbox.urls[vendor])
        }
        told = Counter(_what(body) for body in lost_while_down)
        answered = Counter((_what(body), late_answers[body]) for body in lost_while_down)
        # What catch-up found is a duplicate; the trigger alone is news, with the triage
        # answers catch-up could not have.
        assert told == Counter(
            ["github release", "zendesk trigger", "zendesk comment_added", "jira comment_created"]
        )
        assert answered == Counter(
            {(what, "accepted" if what == "zendesk trigger" else "duplicate"): 1 for what in told}
        )
        wait_until(
            lambda: len(downtime.escalations_of(marked)) == 1,
            "the late trigger opens the escalation",
            [second],
        )
        downtime.wait_idle("the late deliveries are acted on")
        assert downtime.pending_requests() == ["escalated"]
        assert downtime.effects(tickets, tickets[0], replied) == expected

    assert downtime.too_many_requests() == []
    assert downtime.dead_letters() == []
    print(f"caught up in {caught_up:.1f} s (late webhooks: {late})")
