"""Side-effect throughput of one and of two ``support-bridge worker`` processes, in one run,
with the sandbox adding 50 ms to every upstream call.

Run: python bench/scale.py [--rows 400] [--threads 4] [--rounds 2] [--embedded]
                           [--database-url URL] [--redis-url URL]

A batch of outbox rows (Slack channel posts, Zendesk internal notes, Jira comments: one upstream
call each, spread over 8 channels, tickets and issues) is committed in one transaction and
enqueued after it, as the workflow plans side effects; the clock runs until every row is done.
Each run starts fresh worker processes and warms them up (each must have performed a row)
before its batch. Rounds alternate the order (1 then 2 workers, then 2 then 1) so drift on a
shared machine falls on both. Prints rows/s, the ratio 2 workers / 1 worker, the CPU used by the
workers, the sandbox, PostgreSQL and Redis and the whole machine, and the duplicates found in
the sandbox's state.

Distributed mode (PostgreSQL + Redis) when both answer: ``--database-url`` (default
``BRIDGE_TEST_DATABASE_URL``, else ``.ci/run``'s) in a schema of its own, dropped afterwards, and
the queue in Redis db 13 (flushed before and after). Otherwise the embedded mode: both workers on
one SQLite database and queue file. Stops on its own; Ctrl-C stops the workers and cleans up.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e import LATENCY, write_config
from bench.scale_processes import Backend, Workers, backend, machine_ticks
from bench.scale_report import Measure, report
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services import effects
from bridge.store.outbox import SideEffect
from sandbox import Sandbox
from sandbox.core.faults import Fault

SPREAD = 8  # channels, tickets and issues a batch is spread over
TOKEN = re.compile(r"\[sb:[\w-]+\]")


@dataclass(frozen=True)
class Targets:
    channels: list[str]
    tickets: list[str]
    issues: list[str]


def seed(sandbox: Sandbox) -> Targets:
    from sandbox.slack.state import Channel

    channels = [f"C0SCALE{n:04d}" for n in range(SPREAD)]
    for channel in channels:
        sandbox.slack.world.channels[channel] = Channel(channel, channel.lower())
    tickets = [str(sandbox.zendesk.seed_ticket(f"Scale {n}", "Bench").id) for n in range(SPREAD)]
    project = sandbox.jira.world.projects["SUP"]
    issues = [
        sandbox.jira.world.create_issue(project, {"summary": f"Scale {n}"}).key
        for n in range(SPREAD)
    ]
    return Targets(channels, tickets, issues)


def batch(tag: str, rows: int, targets: Targets) -> list[SideEffect]:
    """Slack posts, Zendesk notes and Jira comments in turn, each text carrying its token."""
    planned = []
    for n in range(rows):
        step, text = f"{tag}-{n}", f"Scale bench row [sb:{tag}-{n}]"
        spot = n // 3 % SPREAD
        if n % 3 == 0:
            planned.append(effects.channel_post(step, channel=targets.channels[spot], text=text))
        elif n % 3 == 1:
            planned.append(effects.helpdesk_note("zendesk", targets.tickets[spot], step, text=text))
        else:
            planned.append(effects.tracker_comment("jira", targets.issues[spot], step, text=text))
    return planned


def enqueue(runtime: Runtime, planned: list[SideEffect]) -> tuple[int, int]:
    """Commit the rows in one transaction; the runtime enqueues their jobs once it commits.
    Returns the first and last row id (nothing else adds rows meanwhile)."""
    now = utcnow()
    with runtime.sessions.begin() as session:
        ids = [runtime.outbox.add(session, effect, now) for effect in planned]
    known = [row_id for row_id in ids if row_id is not None]
    return min(known), max(known)


def statuses(runtime: Runtime, first: int, last: int) -> Counter[str]:
    """Rows by status, and done rows by the worker ("pid N") that performed them."""
    from sqlalchemy import func, select

    from bridge.store.tables import OutboxRow

    query = (
        select(OutboxRow.status, OutboxRow.lease_owner, func.count())
        .where(OutboxRow.id.between(first, last))
        .group_by(OutboxRow.status, OutboxRow.lease_owner)
    )
    found: Counter[str] = Counter()
    with runtime.sessions() as session:
        for status, owner, count in session.execute(query):
            found[status] += count
            if status == "done":
                found[f"pid {str(owner).rsplit(':', 1)[-1]}"] += count
    return found


def wait_done(runtime: Runtime, pool: Workers, first: int, last: int, limit: float) -> Counter[str]:
    deadline = time.monotonic() + limit
    while True:
        found = statuses(runtime, first, last)
        if found["done"] + found["dead"] == last - first + 1:
            return found
        pool.check_alive()
        if time.monotonic() > deadline:
            raise SystemExit(f"rows {first}..{last} unfinished after {limit:.0f} s: {found}")
        time.sleep(0.02)


def _spent(before: dict[str, float], after: dict[str, float]) -> float:
    spent = (used - before.get(name, 0.0) for name, used in after.items())
    return sum(s for s in spent if not math.isnan(s))


def measure(
    runtime: Runtime, targets: Targets, chosen: Backend, args: argparse.Namespace, workers: int
) -> Measure:
    tag = f"w{workers}-{time.monotonic_ns() % 10**9}"
    logs = Path(chosen.env["BRIDGE_DATA_DIR"])
    with Workers(workers, args.threads, chosen.env, logs) as pool:
        for attempt in range(30):  # until every worker has performed a row: all up and warm
            warm = batch(f"{tag}-warm{attempt}", 2 * workers * args.threads, targets)
            done = wait_done(runtime, pool, *enqueue(runtime, warm), limit=60)
            if all(done[f"pid {pid}"] for pid in pool.pids):
                break
        else:
            raise SystemExit("a worker performed no row in 30 warm-up batches")
        planned = batch(tag, args.rows, targets)
        cpu, own, services = pool.cpu_seconds(), time.process_time(), chosen.service_cpu()
        ticks = machine_ticks()
        started = time.perf_counter()
        first, last = enqueue(runtime, planned)
        done = wait_done(runtime, pool, first, last, limit=max(120.0, args.rows / 2))
        seconds = time.perf_counter() - started
        busy, total = (b - a for a, b in zip(ticks, machine_ticks(), strict=True))
        service = _spent(services, chosen.service_cpu()) if services else math.nan
        cpu = [after - before for after, before in zip(pool.cpu_seconds(), cpu, strict=True)]
        own = time.process_time() - own
    return Measure(
        workers=workers,
        threads=args.threads,
        rows=args.rows,
        seconds=seconds,
        done_by=[done[f"pid {pid}"] for pid in pool.pids],
        dead=done["dead"],
        worker_cpu=cpu,
        sandbox_cpu=own,
        service_cpu=service,
        machine_busy=busy / total if total else math.nan,
    )


def landed(sandbox: Sandbox) -> Counter[str]:
    """How often each row's token appears in what the vendors kept."""
    texts = [message.text for message in sandbox.slack.world.messages]
    texts += [c.body for t in sandbox.zendesk.tickets.values() for c in t.comments]
    texts += [str(c.body) for i in sandbox.jira.world.issues.values() for c in i.comments]
    return Counter(token for text in texts for token in TOKEN.findall(text))


def planned_tokens(runtime: Runtime) -> set[str]:
    """The token of every row the bench planned, warm-up rows included."""
    from sqlalchemy import select

    from bridge.store.tables import OutboxRow

    with runtime.sessions() as session:
        payloads = session.scalars(select(OutboxRow.payload))
        return {token for payload in payloads for token in TOKEN.findall(payload["text"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400, help="side effects a run (default 400)")
    parser.add_argument("--threads", type=int, default=4, help="job threads a worker (default 4)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each (default 2)")
    parser.add_argument("--embedded", action="store_true", help="SQLite even if Redis answers")
    default_database = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # as .ci/run
    parser.add_argument(
        "--database-url", default=os.environ.get("BRIDGE_TEST_DATABASE_URL", default_database)
    )
    redis_default = "redis://127.0.0.1:6379/13"  # db 13 is this bench's; CI's is 15
    parser.add_argument("--redis-url", default=redis_default, help="flushed before and after")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up as on Ctrl-C

    from bridge.config import load_settings
    from bridge.observability.logs import configure_logging
    from bridge.runtime import bootstrap
    from bridge.store import migrate

    configure_logging("warning")
    with (
        tempfile.TemporaryDirectory() as tmp,
        backend(args.database_url, args.redis_url, Path(tmp), args.embedded) as chosen,
        Sandbox() as sandbox,
    ):
        for name in ("BRIDGE_DATABASE_URL", "BRIDGE_REDIS_URL"):  # only the chosen backend's
            os.environ.pop(name, None)
        chosen.env["BRIDGE_CONFIG"] = str(write_config(sandbox, Path(tmp)))
        os.environ.update(chosen.env)
        settings = load_settings()
        migrate.upgrade(settings.resolved_database_url)
        runtime = bootstrap(settings)
        targets = seed(sandbox)
        for vendor in ("jira", "zendesk", "slack"):
            sandbox.vendors[vendor].faults.add(Fault(route="*", latency=LATENCY))
        try:
            orders = [(1, 2) if n % 2 == 0 else (2, 1) for n in range(args.rounds)]
            runs = [measure(runtime, targets, chosen, args, n) for order in orders for n in order]
            counts, planned = landed(sandbox), planned_tokens(runtime)
        finally:
            runtime.close()
    duplicates = sum(counts[token] - 1 for token in planned if counts[token] > 1)
    missing = sum(1 for token in planned if not counts[token])
    report(runs, chosen.label, duplicates, missing)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("bench/scale.py: interrupted; workers stopped, schema and queue cleaned up")
