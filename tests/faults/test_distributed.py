"""The distributed mode for real: one ``serve --no-consumer`` and two ``worker`` processes on
PostgreSQL and Redis take a burst of signed Zendesk deliveries and API escalations; one worker
is killed (SIGKILL) while a vendor is acting for it, a replacement starts, and in the end every
side effect is at the vendor exactly once and no row is left behind.

Runs when BRIDGE_TEST_DATABASE_URL and BRIDGE_TEST_REDIS_URL are set (``.ci/run`` sets both);
the queue and the shared rate budgets use Redis database 14, flushed first (15 is CI's)."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import requests
import yaml
from sqlalchemy import func, select

from bridge.config import load_settings
from bridge.connectors import helpdesk
from bridge.runtime import Runtime, bootstrap
from bridge.store.tables import InboxRow, OutboxRow
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.embedded import connector_settings
from sandbox.runner import DEFAULT_CHANNEL
from tests.conftest import redis_url_or_skip
from tests.faults.processes import (
    SUPPORT_BRIDGE,
    BridgeProcess,
    bridge_env,
    expire_leases,
    free_port,
    let_time_pass,
    wait_until,
)
from tests.helpers import API_REVIEW, API_TRIAGE

TICKETS = 10  # one escalation each
REPLIES = 3  # customer replies per ticket during the burst, besides the first one
API_TOKEN = "distributed-test-token"
UNFINISHED = ("pending", "processing", "in_flight")


def redis_db_14() -> str:
    """CI's Redis server, database 14: this test's own, so it can flush it."""
    parts = urlsplit(redis_url_or_skip())
    return urlunsplit(parts._replace(path="/14"))


class Cluster:
    """The processes of one distributed bridge, and a runtime in this process to read rows."""

    def __init__(self, workdir: Path, env: dict[str, str], runtime: Runtime, url: str) -> None:
        self.workdir, self.env, self.runtime, self.url = workdir, env, runtime, url
        self.processes: list[BridgeProcess] = []

    def start(self, name: str, *args: str) -> BridgeProcess:
        process = BridgeProcess(name, list(args), self.env, self.workdir)
        self.processes.append(process)
        return process

    def outbox_status(self) -> Counter[str]:
        return self._statuses(OutboxRow)

    def inbox_status(self) -> Counter[str]:
        return self._statuses(InboxRow)

    def unfinished(self) -> list[tuple[str, str, int, str | None]]:
        """Each side effect not done: what it was, its status, attempts and last error."""
        with self.runtime.sessions() as session:
            rows = session.execute(
                select(
                    OutboxRow.operation, OutboxRow.status, OutboxRow.attempts, OutboxRow.last_error
                ).where(OutboxRow.status != "done")
            )
            return [tuple(row) for row in rows]

    def _statuses(self, table: type[InboxRow] | type[OutboxRow]) -> Counter[str]:
        with self.runtime.sessions() as session:
            rows = session.execute(select(table.status, func.count()).group_by(table.status))
            return Counter({status: count for status, count in rows})

    def in_flight_owner(self, target: str, held_for: dt.timedelta) -> str | None:
        """Who holds the lease of a ``target`` side effect in flight for at least ``held_for``."""
        since = dt.datetime.now(dt.UTC) - held_for
        with self.runtime.sessions() as session:
            owner: str | None = session.scalars(
                select(OutboxRow.lease_owner).where(
                    OutboxRow.target == target,
                    OutboxRow.status == "in_flight",
                    OutboxRow.updated_at < since,
                )
            ).first()
            return owner


@pytest.fixture
def cluster(
    sandbox: Sandbox,
    postgres_url: str,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Cluster]:
    redis_url = redis_db_14()
    redis.Redis.from_url(redis_url).flushdb()
    connectors = connector_settings(sandbox)
    config = {
        "routing": {"default_channel": DEFAULT_CHANNEL},
        "connectors": {name: connectors[name] for name in ("slack", "zendesk")},
    }
    config_path = isolated_settings / "bridge.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = bridge_env(
        {
            "CONFIG": str(config_path),
            "DATA_DIR": str(isolated_settings / "var"),
            "DATABASE_URL": postgres_url,
            "REDIS_URL": redis_url,
            "PUBLIC_URL": url,
            "API_TOKEN": API_TOKEN,
            "ZENDESK_WEBHOOK_SECRET": sandbox.webhook_secrets["zendesk"],
        }
    )
    upgraded = subprocess.run(
        [SUPPORT_BRIDGE, "db", "upgrade"], env=env, capture_output=True, text=True, check=False
    )
    assert upgraded.returncode == 0, upgraded.stderr
    for name, value in env.items():
        if name.startswith("BRIDGE_"):
            monkeypatch.setenv(name, value)
    runtime = bootstrap(load_settings())
    running = Cluster(isolated_settings, env, runtime, url)
    try:
        yield running
    finally:
        for process in running.processes:
            process.stop()
        runtime.close()


def _escalate(url: str, ticket: int) -> dict[str, Any]:
    body = {
        "ticket": f"zendesk:{ticket}",
        "reason": "data_loss",
        "requested_by": "U0ALICE001",
        "triage": API_TRIAGE,
        "review": API_REVIEW,
    }
    answer = requests.post(
        f"{url}/api/escalations",
        json=body,
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _customer_reply(sandbox: Sandbox, ticket: int, text: str) -> None:
    answer = requests.post(
        f"{sandbox.urls['zendesk']}/_sandbox/tickets/{ticket}/customer_reply",
        json={"body": text},
        timeout=30,
    )
    answer.raise_for_status()


def test_two_workers_one_killed_mid_run_perform_every_side_effect_once(
    cluster: Cluster, sandbox: Sandbox
) -> None:
    serve = cluster.start("serve", "serve", "--no-consumer", "--port", cluster.url.rsplit(":")[-1])
    workers = [cluster.start(f"worker-{n}", "worker", "--threads", "2") for n in (1, 2)]

    def served() -> bool:
        try:
            return requests.get(f"{cluster.url}/healthz", timeout=1).ok
        except requests.ConnectionError:
            return False

    wait_until(served, "serve answers /healthz", [serve])
    sandbox.register_webhook("zendesk", f"{cluster.url}/webhooks/zendesk")
    tickets = [
        sandbox.zendesk.seed_ticket(f"Exports fail ({n})", "Exports stop at 99%.").id
        for n in range(TICKETS)
    ]
    for ticket in tickets:  # the bridge learns of each ticket from its first delivery
        _customer_reply(sandbox, ticket, f"Still failing on ticket {ticket}.")
    wait_until(
        lambda: cluster.inbox_status().get("done", 0) == TICKETS,
        f"the first {TICKETS} deliveries are processed",
        cluster.processes,
    )

    # A vendor acts on one internal note and holds its answer: the worker performing it is the
    # one killed, so the kill lands between the vendor's write and our commit.
    held = sandbox.zendesk.faults.add(Fault(route="PUT /api/v2/tickets/*", hold=120, times=1))
    with ThreadPoolExecutor(max_workers=8) as burst:
        replies = [
            burst.submit(_customer_reply, sandbox, ticket, f"Any news? ({ticket}, {n})")
            for ticket in tickets
            for n in range(REPLIES)
        ]
        escalations = [burst.submit(_escalate, cluster.url, ticket) for ticket in tickets]
        for reply in replies:
            reply.result()
        opened = [str(escalation.result()["id"]) for escalation in escalations]

    owners = {worker.lease_owner: worker for worker in workers}
    wait_until(
        lambda: (
            held.times == 0
            and cluster.in_flight_owner("zendesk", dt.timedelta(seconds=1)) in owners
        ),
        "a worker is held by Zendesk mid-note",
        cluster.processes,
    )
    victim = owners[str(cluster.in_flight_owner("zendesk", dt.timedelta(seconds=1)))]
    victim.kill()
    assert expire_leases(cluster.runtime, victim) >= 1
    cluster.start("worker-3", "worker", "--threads", "2")

    def settled() -> bool:
        let_time_pass(cluster.runtime)
        outbox, inbox = cluster.outbox_status(), cluster.inbox_status()
        return sum(outbox.values()) >= 3 * TICKETS and not any(
            status in UNFINISHED for status in (*outbox, *inbox)
        )

    wait_until(settled, "no row is pending or in flight", cluster.processes, 90, interval=1.0)

    deliveries = TICKETS * (1 + REPLIES)
    inbox, outbox = cluster.inbox_status(), cluster.outbox_status()
    assert set(inbox) <= {"done", "ignored"}, inbox
    assert inbox.total() >= deliveries  # ours, plus the echoes of the notes the bridge wrote
    assert outbox == {"done": 3 * TICKETS}, cluster.unfinished()  # head, thread reply, note
    assert [_messages(sandbox, f"chat:{n}:head:opened") for n in opened] == [1] * TICKETS
    assert [_messages(sandbox, f"chat:{n}:reply:opened") for n in opened] == [1] * TICKETS
    notes = [
        _notes(sandbox, ticket, escalation)
        for ticket, escalation in zip(tickets, opened, strict=True)
    ]
    assert notes == [1] * TICKETS
    assert victim.popen.returncode == -9


def _messages(sandbox: Sandbox, key: str) -> int:
    return sum(
        ((message.metadata or {}).get("event_payload") or {}).get("key") == key
        for message in sandbox.slack.world.in_channel(DEFAULT_CHANNEL)
    )


def _notes(sandbox: Sandbox, ticket: int, escalation: str) -> int:
    text = helpdesk.signed(f"Escalated: escalation {escalation} is open for this ticket.")
    return sum(comment.body == text for comment in sandbox.zendesk.tickets[ticket].comments)
