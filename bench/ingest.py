"""Ingest benchmark: signed GitHub deliveries posted over loopback to the bridge under its
production server, side by side with a minimal verify-and-insert app under the same settings.

    .venv/bin/python bench/ingest.py [--requests 3000] [--rate 500] [--paced-seconds 5]

Prints requests/s and p50/p99 for both and their ratio (target: the bridge at >= 0.9x the
minimal app), the p99 at a paced 500 deliveries/s (target <= 50 ms), the rows counted after
the run (nothing lost, nothing duplicated) and the Slack command ack p99 (target <= 100 ms).
Bounded in requests and time; everything stays on 127.0.0.1.
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


def start(
    kind: str, data_dir: str, consumer_threads: int
) -> tuple[multiprocessing.process.BaseProcess, int]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    if kind == "bridge":
        target, args = run_bridge, (data_dir, child, consumer_threads)
    else:
        target, args = run_minimal, (data_dir, child)
    process = context.Process(target=target, args=args, daemon=True)
    process.start()
    if not parent.poll(60):
        process.terminate()
        raise SystemExit(f"{kind} server did not start within 60 s")
    return process, parent.recv()


def line(name: str, run: Run) -> str:
    return (
        f"  {name:<22}{run.rate:>9.0f}{run.percentile(50):>10.1f}{run.percentile(99):>10.1f}"
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
        help="job consumer threads inside the bridge, as `serve` runs them (0: none)",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per phase")
    args = parser.parse_args()
    paced_total = int(args.rate * args.paced_seconds)
    bursts: dict[str, Run] = {}
    paced: dict[str, Run] = {}
    warm: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        servers = {}
        for kind in ("minimal", "bridge"):
            Path(tmp, kind).mkdir()
            servers[kind] = start(kind, str(Path(tmp, kind)), args.consumer_threads)
        try:
            for kind, (_, port) in servers.items():
                limit = time.perf_counter() + 30
                warm[kind] = drive(port, github_request, f"{kind}-warm", 100, 4, None, limit)
            for kind, (_, port) in servers.items():
                limit = time.perf_counter() + args.time_limit
                bursts[kind] = drive(
                    port, github_request, f"{kind}-burst", args.requests, args.clients, None, limit
                )
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
            for process, _ in servers.values():
                process.terminate()
                process.join(10)
        rows = {kind: count_rows(kind, str(Path(tmp, kind))) for kind in servers}

    print(
        f"ingest: signed GitHub deliveries ({len(BODY):,} B) over loopback, waitress 8 threads, "
        f"{args.consumer_threads} consumer thread(s) in the bridge"
    )
    print(f"  {'':<22}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'2xx/sent':>12}")
    for kind in ("minimal", "bridge"):
        print(line(f"{kind}, {args.clients} clients", bursts[kind]))
    for kind in ("minimal", "bridge"):
        print(line(f"{kind}, paced {args.rate:.0f}/s", paced[kind]))
    ratio = bursts["bridge"].rate / bursts["minimal"].rate
    print(f"throughput ratio bridge/minimal: {ratio:.2f}  (target >= 0.90)")
    print(
        f"bridge p99 at {args.rate:.0f}/s: {paced['bridge'].percentile(99):.1f} ms  "
        "(target <= 50 ms on SQLite)"
    )
    print(
        f"slack /escalate ack: p50 {slack.percentile(50):.1f} ms, "
        f"p99 {slack.percentile(99):.1f} ms  (target <= 100 ms), statuses {slack.statuses}"
    )
    for kind in ("minimal", "bridge"):
        accepted = sum(run[kind].accepted() for run in (warm, bursts, paced))
        total, distinct = rows[kind]
        print(
            f"rows {kind}: {total} stored for {accepted} accepted deliveries; "
            f"lost {accepted - distinct}, duplicated {total - distinct}"
        )


if __name__ == "__main__":
    main()
