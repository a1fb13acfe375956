"""Ingest benchmark: signed GitHub deliveries posted over loopback to the bridge under its
production server, side by side with a minimal verify-and-insert app under the same settings.

    .venv/bin/python bench/ingest.py [--requests 3000] [--rate 500] [--paced-seconds 5]

The bridge runs twice: as ``support-bridge serve`` runs it on SQLite by default (job threads
in the web process) and with its jobs in a ``support-bridge worker`` process beside it. Prints
requests/s and p50/p99 for each and the minimal app, the ratios (target: the bridge at >= 0.9x
the minimal app), the p99 at a paced 500 deliveries/s (target <= 50 ms), the rows counted after
the run (nothing lost, nothing duplicated) and the Slack command ack p99 (target <= 100 ms).
Each measurement starts once the previous one's jobs are done. Bounded in requests and time;
everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest_servers import (
    SECRET,
    SLACK_SECRET,
    count_rows,
    run_bridge,
    run_minimal,
    run_worker,
    unfinished_rows,
)

BODY = (
    Path(__file__).resolve().parents[1] / "tests/fixtures/github/webhooks/issues/opened.json"
).read_bytes()
SIGNATURE = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, status: int) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def accepted(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)


def github_request(tag: str) -> tuple[str, bytes, dict[str, str]]:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": tag,
        "X-Hub-Signature-256": SIGNATURE,
    }
    return "/webhooks/github", BODY, headers


def slack_request(tag: str) -> tuple[str, bytes, dict[str, str]]:
    text = "help" if int(tag.rsplit("-", 1)[1]) % 2 else "status 990001"
    body = urlencode(
        {
            "command": "/escalate",
            "text": text,
            "trigger_id": tag,
            "user_id": "U0BENCH01",
            "channel_id": "C0BENCH01",
            "team_id": "T0BENCH01",
        }
    ).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(SLACK_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    return "/slack/commands", body, headers


def drive(
    port: int, make, prefix: str, total: int, clients: int, rate: float | None, deadline: float
) -> Run:
    """``clients`` keep-alive connections; as fast as answered, or paced at ``rate``/s
    (latency then counts from the planned send time, so falling behind shows)."""
    run, numbers, start = Run(), itertools.count(), time.perf_counter()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while (n := next(numbers)) < total and time.perf_counter() < deadline:
            planned = start + n / rate if rate else time.perf_counter()
            if rate and (wait := planned - time.perf_counter()) > 0:
                time.sleep(wait)
            path, body, headers = make(f"{prefix}-{n}")
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status, connection = 599, http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            run.record(time.perf_counter() - planned, status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


KINDS = {"minimal": "minimal", "bridge": "bridge", "worker": "bridge + worker"}


def start(
    kind: str, data_dir: str, consumer_threads: int
) -> tuple[list[multiprocessing.process.BaseProcess], int]:
    """The server's processes (with the worker's, for ``worker``) and its port."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    if kind == "minimal":
        target, args = run_minimal, (data_dir, child)
    else:
        in_process = consumer_threads if kind == "bridge" else 0
        target, args = run_bridge, (data_dir, child, in_process)
    processes = [context.Process(target=target, args=args, daemon=True)]
    processes[0].start()
    if not parent.poll(60):
        processes[0].terminate()
        raise SystemExit(f"{kind} server did not start within 60 s")
    port = parent.recv()
    if kind == "worker":  # started once the server has migrated the database
        processes.append(
            context.Process(target=run_worker, args=(data_dir, consumer_threads), daemon=True)
        )
        processes[1].start()
    return processes, port


def settle(kind: str, data_dir: str, jobs_run: bool, limit: float = 120.0) -> float:
    """Wait for the bridge's jobs to catch up, so one phase's backlog never slows the next
    measurement; returns the seconds waited."""
    started = time.perf_counter()
    while (
        jobs_run
        and kind != "minimal"
        and unfinished_rows(data_dir)
        and time.perf_counter() - started < limit
    ):
        time.sleep(0.2)
    return time.perf_counter() - started


def line(name: str, run: Run) -> str:
    return (
        f"  {name:<30}{run.rate:>9.0f}{run.percentile(50):>10.1f}{run.percentile(99):>10.1f}"
        f"{run.accepted():>8}/{len(run.latencies)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="per server, unpaced")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=500.0, help="paced deliveries per second")
    parser.add_argument("--paced-seconds", type=float, default=5.0)
    parser.add_argument("--slack-requests", type=int, default=400)
    parser.add_argument(
        "--consumer-threads",
        type=int,
        default=2,
        help="job threads, in the bridge's process or in its worker's (serve's default: 2); "
        "0 measures the acknowledgement alone, with no jobs run",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per phase")
    args = parser.parse_args()
    paced_total = int(args.rate * args.paced_seconds)
    bursts: dict[str, Run] = {}
    paced: dict[str, Run] = {}
    warm: dict[str, Run] = {}
    drained: dict[str, float] = {}
    kinds = [kind for kind in KINDS if args.consumer_threads or kind != "worker"]
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        servers = {}
        for kind in kinds:
            Path(tmp, kind).mkdir()
            servers[kind] = start(kind, str(Path(tmp, kind)), args.consumer_threads)
        try:
            for kind, (_, port) in servers.items():
                limit = time.perf_counter() + 30
                warm[kind] = drive(port, github_request, f"{kind}-warm", 100, 4, None, limit)
                settle(kind, str(Path(tmp, kind)), args.consumer_threads > 0)
            for kind, (_, port) in servers.items():
                limit = time.perf_counter() + args.time_limit
                bursts[kind] = drive(
                    port, github_request, f"{kind}-burst", args.requests, args.clients, None, limit
                )
                drained[kind] = settle(kind, str(Path(tmp, kind)), args.consumer_threads > 0)
            for kind, (_, port) in servers.items():
                limit = time.perf_counter() + args.time_limit
                paced[kind] = drive(
                    port,
                    github_request,
                    f"{kind}-paced",
                    paced_total,
                    args.clients * 2,
                    args.rate,
                    limit,
                )
                settle(kind, str(Path(tmp, kind)), args.consumer_threads > 0)
            slack = drive(
                servers["bridge"][1],
                slack_request,
                "slack",
                args.slack_requests,
                4,
                None,
                time.perf_counter() + args.time_limit,
            )
        finally:
            for processes, _ in servers.values():
                for process in processes:
                    process.terminate()
                    process.join(10)
        rows = {kind: count_rows(kind, str(Path(tmp, kind))) for kind in servers}
    report(args, kinds, bursts, paced, warm, drained, slack, rows)


def report(
    args: argparse.Namespace,
    kinds: list[str],
    bursts: dict[str, Run],
    paced: dict[str, Run],
    warm: dict[str, Run],
    drained: dict[str, float],
    slack: Run,
    rows: dict[str, tuple[int, int]],
) -> None:
    print(
        f"ingest: signed GitHub deliveries ({len(BODY):,} B) over loopback, waitress 8 threads; "
        f"{args.consumer_threads} job thread(s) in the bridge's process (bridge) or in a "
        "worker process beside it (bridge + worker)"
    )
    print(f"  {'':<30}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'2xx/sent':>12}")
    for kind in kinds:
        print(line(f"{KINDS[kind]}, {args.clients} clients", bursts[kind]))
    for kind in kinds:
        print(line(f"{KINDS[kind]}, paced {args.rate:.0f}/s", paced[kind]))
    for kind in kinds[1:]:
        ratio = bursts[kind].rate / bursts["minimal"].rate
        caught_up = f"; its jobs caught up {drained[kind]:.1f} s after the burst"
        print(
            f"throughput ratio {KINDS[kind]}/minimal: {ratio:.2f}  (target >= 0.90)"
            + (caught_up if args.consumer_threads else "")
        )
        print(
            f"{KINDS[kind]} p99 at {args.rate:.0f}/s: {paced[kind].percentile(99):.1f} ms  "
            "(target <= 50 ms on SQLite)"
        )
    print(
        f"slack /escalate ack: p50 {slack.percentile(50):.1f} ms, "
        f"p99 {slack.percentile(99):.1f} ms  (target <= 100 ms), statuses {slack.statuses}"
    )
    for kind in kinds:
        accepted = sum(run[kind].accepted() for run in (warm, bursts, paced))
        total, distinct = rows[kind]
        print(
            f"rows {KINDS[kind]}: {total} stored for {accepted} accepted deliveries; "
            f"lost {accepted - distinct}, duplicated {total - distinct}"
        )


if __name__ == "__main__":
    main()
