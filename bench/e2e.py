"""The outbound half end to end, on the sandbox with 50 ms added to every upstream call.

Run: python bench/e2e.py [--escalations N] [--creations N] [--window-seconds S]

1. Escalation flow: SPAR then AR in Jira (linked, remote link back to the ticket), an internal
   note in Zendesk and the Slack head message, performed through the outbox by worker threads
   (the Jira pair in order, the rest in parallel). Prints p50/p95 per escalation next to the sum
   of the upstream calls the flow makes when done one after another (calls x 50 ms).
2. Rate: N GitHub ARs against GitHub's limit of 80 content-creating requests per window (the
   sandbox enforces it; the bridge's shared budget paces itself). The window is compressed to
   --window-seconds (default 30, about a minute in all; 60 is the real thing). Prints the time
   taken against the least time GitHub's limit allows, 429s received and duplicates.
Everything runs on loopback and stops on its own.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from limits.storage import MemoryStorage

from bridge.config import load_settings
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import installed_budgets, register_connectors
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime, bootstrap
from bridge.services import effects
from bridge.store import migrate
from bridge.store.outbox import SideEffect
from sandbox import Sandbox
from sandbox.core.faults import Fault

LATENCY = 0.05
REPO = "acme/widgets"
CHANNEL = "C0SUPPORT01"


def write_config(sandbox: Sandbox, workdir: Path, config: dict[str, Any] | None = None) -> Path:
    """A bridge.yaml in ``workdir``: ``config``, or one naming the sandbox's Jira, GitHub, Slack
    and Zendesk."""
    creds = sandbox.credentials
    config = config or {
        "connectors": {
            "jira": {
                "url": sandbox.urls["jira"],
                "email": creds["jira"]["email"],
                "api_token": creds["jira"]["api_token"],
                "spar_issue_type": "Task",
            },
            "github": {
                "base_url": sandbox.urls["github"],
                "repository": REPO,
                "token": creds["github"]["token"],
            },
            "slack": {
                "base_url": sandbox.urls["slack"] + "/api/",
                "bot_token": creds["slack"]["token"],
            },
            "zendesk": {
                "url": sandbox.urls["zendesk"],
                "oauth_client_id": creds["zendesk"]["oauth_client_id"],
                "oauth_client_secret": creds["zendesk"]["oauth_client_secret"],
            },
        }
    }
    path = workdir / "bridge.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def wire(
    sandbox: Sandbox, workdir: Path, gate: RateGate, config: dict[str, Any] | None = None
) -> Runtime:
    """A runtime on SQLite in ``workdir`` whose connectors pace themselves with ``gate``."""
    os.environ["BRIDGE_CONFIG"] = str(write_config(sandbox, workdir, config))
    os.environ["BRIDGE_DATA_DIR"] = str(workdir / "var")
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    registered = register_connectors(runtime, gate=gate)
    if "slack" in registered:
        registered["slack"].history_lookup = False  # type: ignore[attr-defined] # sandbox lacks it
    return runtime


def perform(runtime: Runtime, effect: SideEffect) -> dict[str, Any]:
    with runtime.sessions.begin() as session:
        row_id = runtime.outbox.add(session, effect, utcnow())
    assert row_id is not None
    runtime.tasks.perform_outbox.call_local(row_id)
    [row] = [r for r in runtime.outbox.dead_letters() if r.id == row_id] or [None]
    if row is not None:
        raise SystemExit(f"side effect {effect.idempotency_key} died: {row.last_error}")
    from bridge.store.tables import OutboxRow

    with runtime.sessions() as session:
        done = session.get(OutboxRow, row_id)
        assert done is not None and done.result is not None, done and done.status
        return dict(done.result)


def escalation(runtime: Runtime, pool: ThreadPoolExecutor, n: int, ticket: int) -> float:
    esc = f"bench-{n}"
    spec = {
        "summary": f"Bench {esc}",
        "ticket_url": f"https://zd.example/{ticket}",
        "ticket_id": str(ticket),
    }

    def jira_pair() -> None:
        spar = perform(runtime, effects.tracker_record("jira", esc, "spar", spec=spec))
        ar_spec = {"summary": f"AR {esc}", "link_to": spar["key"]}
        perform(runtime, effects.tracker_record("jira", esc, "ar", spec=ar_spec))

    started = time.perf_counter()
    branches = [
        pool.submit(jira_pair),
        pool.submit(
            perform, runtime, effects.helpdesk_note("zendesk", str(ticket), esc, text="Escalated")
        ),
        pool.submit(
            perform,
            runtime,
            effects.escalation_message(esc, "opened", channel=CHANNEL, summary={"ticket": ticket}),
        ),
    ]
    for branch in branches:
        branch.result()
    return time.perf_counter() - started


def flow(sandbox: Sandbox, runtime: Runtime, count: int) -> None:
    for vendor in ("jira", "zendesk", "slack"):
        sandbox.vendors[vendor].faults.add(Fault(route="*", latency=LATENCY))
    ticket = sandbox.zendesk.seed_ticket("Bench", "Bench ticket").id
    before = len(sandbox.jira.recorder.requests) + len(sandbox.zendesk.recorder.requests)
    before += len(sandbox.slack.recorder.requests)
    with ThreadPoolExecutor(max_workers=3) as pool:
        escalation(runtime, pool, -1, ticket)  # warm-up: sign-ins, createmeta cache
        before = sum(
            len(sandbox.vendors[v].recorder.requests) for v in ("jira", "zendesk", "slack")
        )
        times = [escalation(runtime, pool, n, ticket) for n in range(count)]
    calls = sum(len(sandbox.vendors[v].recorder.requests) for v in ("jira", "zendesk", "slack"))
    per_escalation = (calls - before) / count
    sequential = per_escalation * LATENCY
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1] if count >= 20 else max(times)
    sandbox.reset_faults()
    print(f"escalation flow ({count} escalations, {LATENCY * 1000:.0f} ms per upstream call)")
    print(f"  upstream calls per escalation    {per_escalation:6.1f}")
    print(f"  sum of sequential upstream calls {sequential * 1000:6.0f} ms")
    print(f"  bridge p50 / p95                 {p50 * 1000:6.0f} / {p95 * 1000:.0f} ms")
    print(f"  p95 / sequential sum             {p95 / sequential:6.2f}  (target <= 1.5)")


def rate(sandbox: Sandbox, runtime: Runtime, creations: int, window: int, gate: RateGate) -> None:
    sandbox.github.limits.enable("content", f"80 per {window} seconds")
    # The bridge's own budget, scaled like the default "78 per 61 seconds; 498 per 3601 seconds":
    # two slots spare and windows one second longer than GitHub's, so in-flight jitter never
    # lands an 81st request.
    gate.set_rate(
        "github:content", f"78 per {window + 1} seconds; 498 per {60 * window + 1} seconds"
    )
    sandbox.github.recorder.clear()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        jobs = [
            pool.submit(
                perform,
                runtime,
                effects.tracker_record(
                    "github", f"rate-{n}", "ar", spec={"summary": f"AR (rate-{n})"}
                ),
            )
            for n in range(creations)
        ]
        for job in jobs:
            job.result()
    elapsed = time.perf_counter() - started
    statuses = Counter(r.status for r in sandbox.github.recorder.requests)
    titles = Counter(i["title"] for i in sandbox.github.snapshot()[REPO]["issues"])
    duplicates = sum(count - 1 for title, count in titles.items() if "(rate-" in title)
    # Under GitHub's limit N creations take at least (ceil(N / 80) - 1) windows: 80 at once,
    # then 80 more each time a window has passed; taking longer means running below the rate.
    least = (math.ceil(creations / 80) - 1) * window
    sandbox.reset_faults()
    print(f"github rate ({creations} ARs, limit 80 per {window} s)")
    print(f"  elapsed / least the limit allows {elapsed:6.1f} / {least:.1f} s")
    share = least / elapsed if least else 1.0
    print(f"  share of the allowed rate        {share:6.0%}  (target >= 90 %)")
    print(f"  429s received                    {statuses.get(429, 0):6d}  (target 0)")
    print(f"  duplicates                       {duplicates:6d}  (target 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, default=40)
    parser.add_argument("--creations", type=int, default=200)
    parser.add_argument("--window-seconds", type=int, default=30)
    args = parser.parse_args()
    rates = installed_budgets() | {"jira:requests": "100/second", "slack:channel": "50/second"}
    gate = RateGate(MemoryStorage(), rates=rates)
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        sandbox.jira.world.add_project("DEV", "Development")
        runtime = wire(sandbox, Path(tmp), gate)
        try:
            flow(sandbox, runtime, args.escalations)
            rate(sandbox, runtime, args.creations, args.window_seconds, gate)
        finally:
            runtime.close()


if __name__ == "__main__":
    main()
