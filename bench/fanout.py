"""One AR ships and every customer waiting on it hears of it: the fan-out at the vendors' limits.

Run: python bench/fanout.py [--tickets N] [--window-seconds S] [--workers N] [--slack paced|wide]

N escalations (default 200: a third each on Zendesk, Freshdesk and email customers, whose
tickets came in through the intake form and live in no helpdesk) wait on one GitHub AR. The
vendors' rate limits are switched on in the sandbox, and every limit of a minute or longer, the
vendors' and the bridge's own budgets alike, is compressed to --window-seconds a minute (default
10; 60 is the real thing). A ``release.published`` delivery is stored as the webhook stores it,
and Huey's consumer threads process it and perform the notices.

Prints the time from the delivery to the last notice out beside the least time the limits in
force allow for the calls the bridge made (per vendor (ceil(calls / limit) - 1) windows: a
window's worth at once, then one more each time a window has passed; the max over vendors,
which run in parallel), their ratio, the 429s received and the duplicates (tickets told more
than once). Email has no vendor limit in the sandbox: its bound is the bridge's own budget.
Slack is told of each notice in the escalation's thread. While the escalations are opened its
budget is widened (as in ``tests/closure/sandboxed.py``); for the fan-out it is Slack's own
(one message a second per channel, 50 calls a minute compressed like the rest), so the 200
thread replies queued beside the notices are in the way they would be, and the notices, queued
ahead of the team's chat, must not wait for them. ``--slack wide`` keeps it widened throughout.
Everything runs on loopback and stops on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from limits import parse_many
from limits.storage import MemoryStorage
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e import wire
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import installed_budgets
from bridge.domain.enums import Priority, Severity
from bridge.domain.records import Ticket
from bridge.jobs.clock import utcnow
from bridge.jobs.engine import InProcessConsumer, sweep
from bridge.observability.logs import configure_logging
from bridge.runtime import Runtime
from bridge.store.escalations import EscalationStore
from bridge.store.inbox import Delivery
from bridge.store.tables import OutboxRow
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from tests.closure.story import escalate_to_accepted_plan, wait_on_ar

AR = "acme/app#12"
HELPDESKS = ("zendesk", "freshdesk")
CUSTOMERS = (*HELPDESKS, "intake")  # intake: reached by email
NOTICE_OPERATIONS = ("public_reply", "send")  # helpdesk reply, or email
SWEEP_SECONDS = 1.0  # the minute sweep re-drives rows whose retry is due; here every second
WIDE_SLACK = {"slack:channel": "100/second", "slack:requests": "6000/minute"}


def compressed(rate: str, window: int) -> str:
    """``rate`` with each limit of a minute or longer shortened by ``window``/60."""
    seconds = [
        item.get_expiry() if item.get_expiry() < 60 else math.ceil(item.get_expiry() * window / 60)
        for item in parse_many(rate)
    ]
    items = zip(parse_many(rate), seconds, strict=True)
    return "; ".join(f"{item.amount} per {max(1, span)} seconds" for item, span in items)


def add_customers(sandbox: Sandbox, runtime: Runtime, count: int) -> list[str]:
    """Tickets spread over the helpdesks and email, each escalated and waiting on the AR;
    returns their references (``zendesk:7``)."""
    refs = []
    opened = utcnow() - dt.timedelta(days=10)  # long unanswered: escalating is advised
    for n in range(count):
        helpdesk = CUSTOMERS[n % len(CUSTOMERS)]
        subject = f"Orders fail to sync ({n})"
        if helpdesk == "zendesk":
            number = str(sandbox.zendesk.seed_ticket(subject, "Lost orders").id)
        elif helpdesk == "freshdesk":
            number = str(sandbox.freshdesk.seed_ticket(subject, "Lost orders").id)
        else:
            number = f"web-{n}"
        ticket = Ticket(
            external_id=number,
            requester=f"customer{n}@example.com",
            organisation=f"Customer {n}",
            subject=subject,
            severity=Severity.CRITICAL,
            priority=Priority.URGENT,
            opened_at=opened,
            last_support_reply_at=opened + dt.timedelta(hours=1),
        )
        with runtime.sessions.begin() as session:
            EscalationStore(session).save_ticket(helpdesk, ticket, opened)
        refs.append(f"{helpdesk}:{number}")
    now = utcnow()
    ids = [escalate_to_accepted_plan(runtime, ref, now) for ref in refs]
    wait_on_ar(runtime, ids, "github", AR, now)
    return refs


def settled(runtime: Runtime) -> bool:
    counts = runtime.outbox.counts_by_status()
    return not counts.get("pending") and not counts.get("in_flight")


def wait_until_settled(runtime: Runtime, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not settled(runtime):
        if time.monotonic() > deadline:
            raise SystemExit(f"the outbox did not settle: {runtime.outbox.counts_by_status()}")
        sweep(runtime, utcnow())
        time.sleep(SWEEP_SECONDS)


def notices_out(runtime: Runtime, after: int) -> tuple[int, int]:
    """(done, not yet done) of the customer notices planned after row ``after``."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(OutboxRow.status, func.count())
            .where(OutboxRow.operation.in_(NOTICE_OPERATIONS), OutboxRow.id > after)
            .group_by(OutboxRow.status)
        ).all()
    counts = {status: int(count) for status, count in rows}
    return counts.get("done", 0), sum(counts.values()) - counts.get("done", 0)


def ship(runtime: Runtime, expected: int, timeout: float) -> float:
    """Store the release delivery; seconds until ``expected`` notices are out."""
    release = {
        "action": "published",
        "repository": {"full_name": "acme/app"},
        "release": {"tag_name": "v4.2.1", "name": "v4.2.1", "body": f"Fixes {AR}"},
    }
    body = json.dumps(release).encode()
    with runtime.sessions() as session:
        before = session.scalar(select(func.max(OutboxRow.id))) or 0
    started = time.perf_counter()
    runtime.handoff.accept(Delivery("github", uuid.uuid4().hex, "release.published", body))
    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic() + SWEEP_SECONDS
    while True:
        done, waiting = notices_out(runtime, before)
        if done >= expected and not waiting:
            return time.perf_counter() - started
        if time.monotonic() > deadline:
            raise SystemExit(f"only {done} of {expected} notices out after {timeout:.0f} s")
        if time.monotonic() > next_sweep:
            sweep(runtime, utcnow())
            next_sweep += SWEEP_SECONDS
        time.sleep(0.02)


def least_seconds(calls: int, rate: str) -> float:
    """The least time ``rate`` allows for ``calls``, by its tightest limit."""
    return max(
        (math.ceil(calls / item.amount) - 1) * item.get_expiry() if calls else 0
        for item in parse_many(rate)
    )


def duplicates(sandbox: Sandbox) -> int:
    told: Counter[str] = Counter()
    for ticket in sandbox.zendesk.tickets.values():
        told[f"zendesk:{ticket.id}"] += sum("available in" in c.body for c in ticket.comments)
    for ticket in sandbox.freshdesk.tickets.values():
        told[f"freshdesk:{ticket.id}"] += sum(
            "available in" in c.body for c in ticket.conversations
        )
    for mail in sandbox.smtp.mails:
        if "available in" in mail.text:
            told[",".join(mail.rcpt_tos)] += 1
    return sum(count - 1 for count in told.values() if count > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--window-seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--slack", choices=("paced", "wide"), default="paced")
    args = parser.parse_args()
    window = args.window_seconds
    configure_logging("error", "console")  # the setup's retries are no news
    rates = {name: compressed(rate, window) for name, rate in installed_budgets().items()}
    storage = MemoryStorage()
    gate = RateGate(storage, rates=rates | WIDE_SLACK)
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        every = connector_settings(sandbox)
        config = {
            "routing": {"default_channel": sandbox.credentials["slack"]["channel"]},
            "connectors": {name: every[name] for name in (*HELPDESKS, "email", "slack")},
        }
        runtime = wire(sandbox, Path(tmp), gate, config)
        consumer = InProcessConsumer(
            runtime.huey, workers=args.workers, worker_type="thread", periodic=False
        )
        consumer.start()
        try:
            refs = add_customers(sandbox, runtime, args.tickets)
            wait_until_settled(runtime, timeout=300)  # the escalations' own messages
            storage.reset()
            if args.slack == "paced":
                for budget in WIDE_SLACK:
                    gate.set_rate(budget, rates[budget])
            limits = {
                v: compressed(sandbox.vendors[v].limits.defaults["requests"], window)
                for v in HELPDESKS
            }
            for vendor, rate in limits.items():
                sandbox.vendors[vendor].limits.enable("requests", rate)
                sandbox.vendors[vendor].recorder.clear()
            sandbox.smtp.store.clear()
            configure_logging("warning", "console")
            elapsed = ship(runtime, len(refs), timeout=60 * window)
        finally:
            consumer.stop(graceful=True)
            runtime.close()
        calls = {v: len(sandbox.vendors[v].recorder.requests) for v in HELPDESKS}
        limits["email"] = rates["email:messages"]
        calls["email"] = len(sandbox.smtp.mails)
        refused = sum(
            r.status == 429
            for v in (*HELPDESKS, "slack")
            for r in sandbox.vendors[v].recorder.requests
        )
        doubled = duplicates(sandbox)
    least = {vendor: least_seconds(calls[vendor], limits[vendor]) for vendor in calls}
    bound = max(least.values())
    per_customer = Counter(ref.split(":", 1)[0] for ref in refs)
    print(
        f"fan-out ({len(refs)} tickets on one AR, a minute compressed to {window} s, "
        f"{args.workers} job threads, Slack {args.slack})"
    )
    for vendor, limit in limits.items():
        customers = per_customer["intake" if vendor == "email" else vendor]
        print(
            f"  {vendor:<9} {customers:4d} tickets {calls[vendor]:5d} calls  limit {limit:<22}"
            f" least {least[vendor]:5.1f} s"
        )
    print(f"  every notice out / least the limits allow {elapsed:6.1f} / {bound:.1f} s")
    ratio = f"{elapsed / bound:6.2f}" if bound else "   n/a (no limit reached)"
    print(f"  ratio                                     {ratio}")
    print(f"  429s received                             {refused:6d}  (target 0)")
    print(f"  duplicates                                {doubled:6d}  (target 0)")


if __name__ == "__main__":
    main()
