"""Nothing missed while down, at scale: 1,000 linked ARs caught up at the vendors' limits.

Run: python bench/catchup.py [--ars N]

For each tracker (Jira, then GitHub) N escalations are seeded straight into the store, each
waiting on its own AR, seeded straight into the sandbox. The bridge's watermark is set (its
first catch-up), then, with no webhook reaching the bridge, a developer changes every AR: half
get a comment, the other half a status change in Jira or a close on GitHub. Then ``CatchUp.run``
is timed, through the real connector, the production rate budgets (each connector's
``budgets``) and the sandbox enforcing the vendor's own limits, until every change is in the
inbox. Should one run
not find them all, the next runs count with the schedule's interval (``catch_up.every_minutes``)
between them.

Prints per tracker the requests made and needed, the measured seconds and the least the limits
allow, and their ratio; exits non-zero when a ratio is above 1.2, a change is missed or stored
twice, or the vendor answered 429. The least time: the requests that cannot be avoided (Jira:
one search per 100 changed ARs, the most one page of Jira Cloud's search answers, and the
project's versions; GitHub: a page of 100 per listing, the issue events' included, and one read
per closed issue) at the budget (its tightest window: ``(ceil(n / amount) - 1)`` windows), plus
one answer's latency; or, if more, those requests one after another at the round trip the
sandbox showed during the run (the catch-up client asks one request at a time). Everything runs
on loopback and stops on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from limits import parse_many
from limits.storage import MemoryStorage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e import REPO, wire
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import installed_budgets
from bridge.jobs.clock import utcnow
from bridge.observability.logs import configure_logging
from bridge.runtime import Runtime
from bridge.services.inbound.catchup import CatchUp
from bridge.services.ports import Watching
from bridge.store import tables
from bridge.store.inbox import Delivery, Stored
from bridge.store.watching import watched
from bridge.store.watermarks import Watermarks
from sandbox import Sandbox
from sandbox.github.state import Issue as GitHubIssue

INTERVAL = dt.timedelta(minutes=15)  # catch_up.every_minutes' default
TARGET = 1.2
JIRA_PAGE = 100  # Jira Cloud's largest search page
GITHUB_PAGE = 100  # GitHub's largest page


@dataclass
class Row:
    vendor: str
    ars: int
    made: int
    needed: int
    runs: int
    measured: float
    least: float
    refused: int
    missed: int
    doubled: int

    @property
    def ratio(self) -> float:
        return self.measured / self.least if self.least else math.inf


class RoundTrips:
    """The time each HTTP request to one vendor took, from request sent to answer read."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.seconds: list[float] = []

    @contextmanager
    def watching(self) -> Iterator[None]:
        original = requests.Session.send

        def timed(session: requests.Session, request: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            answer = original(session, request, **kwargs)
            if str(request.url).startswith(self.base_url):
                self.seconds.append(time.perf_counter() - started)
            return answer

        requests.Session.send = timed  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            requests.Session.send = original  # type: ignore[method-assign]

    @property
    def mean(self) -> float:
        return sum(self.seconds) / len(self.seconds) if self.seconds else 0.0


def least_seconds(needed: int, rate: str, round_trip: float) -> float:
    """What the budget allows for ``needed`` requests, or ``needed`` round trips if longer."""
    windows = max(
        (math.ceil(needed / item.amount) - 1) * item.get_expiry() for item in parse_many(rate)
    )
    return max(windows + round_trip, needed * round_trip)


def seed_escalations(runtime: Runtime, system: str, keys: list[str]) -> None:
    """Open escalations, each waiting on its own AR, written straight into the store."""
    now = utcnow()
    with runtime.sessions.begin() as session:
        tickets = [
            tables.Ticket(
                helpdesk="zendesk",
                external_id=f"{system}-{n}",
                created_at=now,
                updated_at=now,
            )
            for n in range(len(keys))
        ]
        session.add_all(tickets)
        session.flush()
        escalations = [
            tables.Escalation(ticket_id=t.id, state="active", created_at=now, updated_at=now)
            for t in tickets
        ]
        session.add_all(escalations)
        session.flush()
        session.add_all(
            tables.ActionRequest(
                escalation_id=e.id, kind="ar", system=system, external_key=key, created_at=now
            )
            for e, key in zip(escalations, keys, strict=True)
        )


def seed_jira(sandbox: Sandbox, count: int) -> list[str]:
    project = sandbox.jira.world.projects["DEV"]
    fields = {"summary": "Orders fail to sync", "issuetype": {"name": "Bug"}}
    return [sandbox.jira.world.create_issue(project, dict(fields)).key for _ in range(count)]


def change_jira(sandbox: Sandbox, keys: list[str]) -> None:
    """A developer comments on half the ARs and starts work on the other half."""
    control = f"{sandbox.urls['jira']}/_sandbox/issues"
    with requests.Session() as http:
        for n, key in enumerate(keys):
            if n % 2:
                answer = http.post(f"{control}/{key}/transition", json={"to": "In Progress"})
            else:
                answer = http.post(f"{control}/{key}/comments", json={"body": "Root cause found"})
            answer.raise_for_status()


def seed_github(sandbox: Sandbox, count: int) -> list[str]:
    owner, name = REPO.split("/")
    repo = sandbox.github.world.repo(owner, name)
    assert repo is not None
    keys = []
    for _ in range(count):
        number = repo.next_number()
        repo.issues[number] = GitHubIssue(number, "Orders fail to sync", None, "support-bridge-bot")
        keys.append(f"{REPO}#{number}")
    return keys


def change_github(sandbox: Sandbox, keys: list[str]) -> None:
    """A developer comments on half the ARs and closes the other half."""
    control = f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/issues"
    with requests.Session() as http:
        for n, key in enumerate(keys):
            number = key.rsplit("#", 1)[1]
            if n % 2:
                answer = http.post(f"{control}/{number}/close", json={"user": "developer"})
            else:
                answer = http.post(
                    f"{control}/{number}/comments", json={"body": "Root cause found"}
                )
            answer.raise_for_status()


def needed_jira(count: int) -> int:
    return math.ceil(count / JIRA_PAGE) + 1  # the searches, the project's versions


def needed_github(count: int) -> int:
    closed = count // 2
    changed_pages = math.ceil(count / GITHUB_PAGE)  # issues updated since
    comment_pages = max(1, math.ceil((count - closed) / GITHUB_PAGE))
    event_pages = max(1, math.ceil(closed / GITHUB_PAGE))  # the closes on the issue timeline
    pages = changed_pages + comment_pages + event_pages
    return 3 + pages + closed  # releases, pulls, milestones: a page each


def catch_up(
    runtime: Runtime,
    sandbox: Sandbox,
    vendor: str,
    keys: list[str],
    change: Callable[[Sandbox, list[str]], None],
    needed: int,
    budget: str,
) -> Row:
    stored: Counter[str | None] = Counter()  # new inbox rows per AR

    def accept(deliveries: Sequence[Delivery]) -> list[Stored]:
        answers = runtime.handoff.accept_all(deliveries)
        for delivery, answer in zip(deliveries, answers, strict=True):
            stored[delivery.record_key] += 0 if answer.duplicate else 1
        return answers

    service = CatchUp(
        {vendor: runtime.connectors[vendor]},
        Watermarks(runtime.sessions),
        accept,
        lambda: INTERVAL,
        lambda source: Watching(*watched(runtime.sessions, source)),
    )
    service.run(utcnow())  # the first start: the watermark is set to now
    source: Any = runtime.connectors[vendor]
    source.missed_since(utcnow(), Watching())  # sign-in, lookups: warm
    change(sandbox, keys)
    recorder = sandbox.vendors[vendor].recorder
    recorder.clear()
    trips = RoundTrips(sandbox.urls[vendor])
    runs, found = 0, 0
    started = time.perf_counter()
    with trips.watching():
        while found < len(keys) and runs < 3:
            found += service.run(utcnow())
            runs += 1
    measured = time.perf_counter() - started + (runs - 1) * INTERVAL.total_seconds()
    return Row(
        vendor,
        len(keys),
        len(recorder.requests),
        needed,
        runs,
        measured,
        least_seconds(needed, installed_budgets()[budget], trips.mean),
        sum(r.status == 429 for r in recorder.requests),
        sum(stored[key] == 0 for key in keys),
        sum(count - 1 for count in stored.values() if count > 1),
    )


def bench(count: int) -> list[Row]:
    configure_logging("error", "console")
    gate = RateGate(MemoryStorage(), rates=installed_budgets())
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        sandbox.jira.world.add_project("DEV", "Development")
        sandbox.jira.limits.enable("requests")  # Jira's 10 a second
        sandbox.github.limits.enable("content")  # GitHub's 80 writes a minute (reads: none)
        runtime = wire(sandbox, Path(tmp), gate)
        try:
            jira_keys = seed_jira(sandbox, count)
            github_keys = seed_github(sandbox, count)
            seed_escalations(runtime, "jira", jira_keys)
            seed_escalations(runtime, "github", github_keys)
            plan = (
                ("jira", jira_keys, change_jira, needed_jira(count), "jira:requests"),
                ("github", github_keys, change_github, needed_github(count), "github:requests"),
            )
            return [catch_up(runtime, sandbox, *vendor) for vendor in plan]
        finally:
            runtime.close()


def report(rows: list[Row]) -> bool:
    """Prints the table; True when every row meets its targets."""
    print("catch-up after downtime (every AR changed once while no webhook arrived)")
    print(
        f"  {'vendor':<7} {'ARs':>5} {'runs':>4} {'requests made':>13} {'needed':>6}"
        f" {'measured s':>10} {'least s':>8} {'ratio':>6} {'429s':>4} {'missed':>6}"
        f" {'twice':>5}"
    )
    good = True
    for row in rows:
        print(
            f"  {row.vendor:<7} {row.ars:5d} {row.runs:4d} {row.made:13d} {row.needed:6d}"
            f" {row.measured:10.2f} {row.least:8.2f} {row.ratio:6.2f} {row.refused:4d}"
            f" {row.missed:6d} {row.doubled:5d}"
        )
        good &= row.ratio <= TARGET and not (row.refused or row.missed or row.doubled)
    print(f"  target: ratio <= {TARGET}, 0 429s, nothing missed, nothing twice")
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ars", type=int, default=1000)
    args = parser.parse_args()
    if not report(bench(args.ars)):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
