"""What matching ARs by the tracker's immutable id costs: the processor of GitHub deliveries
takes issue comments about issues nobody escalated (most of a repository's traffic), in rounds,
with the id matching and without it (the processor as it was before ids were kept), side by
side.

    .venv/bin/python bench/ar_ids.py [--rounds 3] [--deliveries 500]

On SQLite in a temporary directory, in this process (no server, no vendor): only the inbox
processor's own work is timed. Bounded in deliveries and rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid

from bridge.config import load_settings
from bridge.connectors.github.events import GitHubEvents
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.inbox import Delivery
from bridge.store.tables import InboxRow


def stored(runtime: Runtime, count: int, first: int) -> list[InboxRow]:
    rows = []
    for number in range(first, first + count):
        body = {
            "action": "created",
            "repository": {"full_name": "acme/app"},
            "issue": {"id": 900_000 + number, "number": number, "labels": []},
            "comment": {"id": 7_000 + number, "body": "hello", "user": {"login": "dev"}},
            "sender": {"login": "dev"},
        }
        delivery = Delivery(
            "github", uuid.uuid4().hex, "issue_comment.created", json.dumps(body).encode()
        )
        row_id = runtime.inbox.store(delivery, utcnow()).row_id
        with runtime.sessions() as session:
            row = session.get(InboxRow, row_id)
            assert row is not None
            rows.append(row)
    return rows


def per_delivery(runtime: Runtime, rows: list[InboxRow]) -> float:
    processor = runtime.processors.find("github")
    assert processor is not None
    started = time.perf_counter()
    for row in rows:
        processor(row)
    return (time.perf_counter() - started) * 1000 / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--deliveries", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for name in [n for n in os.environ if n.startswith("BRIDGE_")]:
            del os.environ[name]
        url = f"sqlite:///{directory}/bridge.db"
        os.environ |= {"BRIDGE_DATA_DIR": f"{directory}/var", "BRIDGE_DATABASE_URL": url}
        migrate.upgrade(url)
        runtime = bootstrap(load_settings())
        timed: dict[str, list[float]] = {"with ids": [], "without": []}
        first = 1
        identity = GitHubEvents.identity
        try:
            for _ in range(args.rounds):  # the two take turns: the machine is noisy
                for label, identify in (("with ids", identity), ("without", None)):
                    GitHubEvents.identity = identify or (lambda *_: None)  # type: ignore[method-assign]
                    rows = stored(runtime, args.deliveries, first)
                    first += args.deliveries
                    timed[label].append(per_delivery(runtime, rows))
        finally:
            GitHubEvents.identity = identity  # type: ignore[method-assign]
            runtime.close()
    for label, times in timed.items():
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"{label:9s} ms per delivery: median {statistics.median(times):.2f} ({shown})")
    ratio = statistics.median(timed["with ids"]) / statistics.median(timed["without"])
    print(f"with ids / without: {ratio:.2f}")


if __name__ == "__main__":
    main()
