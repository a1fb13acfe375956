"""What a stored GitHub delivery costs the job thread that processes it, beside what its
acknowledgement costs, in one process on the embedded SQLite database.

    .venv/bin/python bench/jobs.py [--deliveries 1024] [--rounds 3]

The deliveries are ``bench/ingest.py``'s: ``issues.opened`` for an issue that names a closed
milestone and that no escalation filed or waits on, the everyday traffic of a repository. Each
is acknowledged through the app (verified, parsed, stored; no job consumer runs), then the
stored rows are processed by the ``inbox.process`` task, one job a row, as the intake queues
them. CPU time of this process, per delivery; median over rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest_load import github_request
from bench.ingest_servers import bridge_app


def one_round(deliveries: int, round_number: int) -> tuple[float, float]:
    """CPU ms per delivery: acknowledging it, and processing it."""
    from sqlalchemy import select

    from bridge.store.tables import InboxRow

    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as data_dir:
        app = bridge_app(data_dir)  # no job threads: the rows wait for the timed jobs below
        runtime = app.extensions["bridge.runtime"]
        client = app.test_client()
        started = time.process_time()
        for number in range(deliveries):
            path, body, headers = github_request(f"jobs{round_number}-{number}")
            answer = client.post(path, data=body, headers=headers)
            if answer.status_code != 202:
                raise SystemExit(f"delivery refused: {answer.status_code} {answer.text}")
        acknowledged = time.process_time() - started
        with runtime.sessions() as session:
            ids = list(session.scalars(select(InboxRow.id).order_by(InboxRow.id)))
        started = time.process_time()
        for row_id in ids:
            runtime.tasks.process_inbox.call_local(row_id)
        processed = time.process_time() - started
        unfinished = runtime.inbox.counts_by_status().get("pending", 0)
        runtime.close()
    if unfinished:
        raise SystemExit(f"{unfinished} rows were left pending: see the log")
    return acknowledged * 1000 / deliveries, processed * 1000 / deliveries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = [one_round(args.deliveries, number) for number in range(args.rounds)]
    ack = statistics.median(result[0] for result in results)
    job = statistics.median(result[1] for result in results)
    print(
        f"jobs: {args.deliveries} GitHub issue deliveries no escalation waits on, "
        f"{args.rounds} rounds, CPU time of one process"
    )
    print(f"  acknowledging (verify, parse, store)   {ack:6.3f} ms a delivery")
    print(f"  processing (inbox.process)             {job:6.3f} ms a delivery")
    print(f"  processing / acknowledging             {job / ack:6.2f}")


if __name__ == "__main__":
    main()
