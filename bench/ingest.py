"""Ingest benchmark: signed GitHub deliveries posted over loopback to the bridge under its
production server, side by side with a minimal verify-and-insert app under the same settings.

    .venv/bin/python bench/ingest.py [--rounds 5] [--requests 600] [--load auto|python|wrk]

The bridge runs twice: as ``support-bridge serve`` runs it on SQLite by default (job threads in
the web process) and with its jobs in a ``support-bridge worker`` process beside it
(``--consumer-threads 0``: the acknowledgement alone, no jobs run). A small shared machine is
noisy, so the servers take turns: each round sends a burst to each server in turn (with wrk
when it is installed, which leaves the servers the most CPU; ``bench/ingest_load.py`` says
why); the report gives each server's burst rate round by round (target: one bridge ``serve``
process at >= 1,000 deliveries/s on SQLite), median and range, beside the ratio to the minimal
app (for comparison; no longer a target). Then the p99 at a paced 500
deliveries/s (target <= 50 ms), also in rounds with the servers in turn, by round (median and
range) and pooled over all rounds, beside how often the minimal app itself held the rate and
the bridge's p99 in the rounds where the minimal app's own p99 met the target (a proxy for the
machine's quiet spells, not the target's measure); then the rows counted after the run (nothing
lost, nothing duplicated) and the Slack command ack p99 (target <= 100 ms). Each burst starts
once the previous one's jobs are done. Bounded in requests and time; everything stays on
127.0.0.1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest_load import (
    BODY,
    Run,
    drive,
    github_request,
    slack_request,
    wrk_available,
    wrk_burst,
)
from bench.ingest_servers import (
    THREADS,
    count_rows,
    run_bridge,
    run_minimal,
    run_worker,
    unfinished_rows,
)

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
    """Wait for the bridge's jobs to catch up, so one burst's backlog never slows the next
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


def burst(args: argparse.Namespace, port: int, tag: str) -> Run:
    if args.load == "wrk":
        return wrk_burst(port, tag, args.wrk_seconds, args.clients)
    deadline = time.perf_counter() + args.time_limit
    return drive(port, github_request, tag, args.requests, args.clients, None, deadline)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="bursts per server, in turns")
    parser.add_argument("--requests", type=int, default=600, help="per burst (python load)")
    parser.add_argument("--clients", type=int, default=16, help="connections per burst")
    parser.add_argument(
        "--load",
        choices=["auto", "python", "wrk"],
        default="auto",
        help="burst load generator: wrk (needs wrk installed), python (http.client threads), or "
        "auto: wrk when installed, else python",
    )
    parser.add_argument("--wrk-seconds", type=int, default=2, help="per burst (wrk load)")
    parser.add_argument("--rate", type=float, default=500.0, help="paced deliveries per second")
    parser.add_argument("--paced-seconds", type=float, default=3.0, help="per paced round")
    parser.add_argument(
        "--paced-rounds", type=int, default=5, help="paced runs per server, in turns"
    )
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
    if args.load == "wrk" and not wrk_available():
        raise SystemExit("--load wrk: wrk is not installed (apt-get install wrk)")
    if args.load == "auto":
        args.load = "wrk" if wrk_available() else "python"
    kinds = [kind for kind in KINDS if args.consumer_threads or kind != "worker"]
    jobs_run = args.consumer_threads > 0
    bursts: dict[str, list[Run]] = {kind: [] for kind in kinds}
    drained: dict[str, list[float]] = {kind: [] for kind in kinds}
    paced: dict[str, list[Run]] = {kind: [] for kind in kinds}
    warm: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        servers, dirs = {}, {kind: str(Path(tmp, kind)) for kind in kinds}
        for kind in kinds:
            Path(dirs[kind]).mkdir()
            servers[kind] = start(kind, dirs[kind], args.consumer_threads)
        try:
            for kind, (_, port) in servers.items():
                limit = time.perf_counter() + 30
                warm[kind] = drive(port, github_request, f"{kind}-warm", 100, 4, None, limit)
                settle(kind, dirs[kind], jobs_run)
            for round_number in range(args.rounds):
                for kind, (_, port) in servers.items():
                    bursts[kind].append(burst(args, port, f"{kind}-burst{round_number}"))
                    drained[kind].append(settle(kind, dirs[kind], jobs_run))
            for round_number in range(args.paced_rounds):
                for kind, (_, port) in servers.items():
                    limit = time.perf_counter() + args.time_limit
                    total = int(args.rate * args.paced_seconds)
                    tag = f"{kind}-paced{round_number}"
                    paced[kind].append(
                        drive(port, github_request, tag, total, args.clients * 2, args.rate, limit)
                    )
                    settle(kind, dirs[kind], jobs_run)
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
        rows = {
            kind: {
                "all": count_rows(kind, dirs[kind]),
                "wrk": count_rows(kind, dirs[kind], f"{kind}-burst"),
            }
            for kind in servers
        }
    # wrk cuts a burst's last requests off unanswered (they may still be stored), so only the
    # deliveries the python load sent can be checked one for one.
    python_bursts = {kind: bursts[kind] if args.load == "python" else [] for kind in kinds}
    sent_by_python = {kind: [warm[kind], *paced[kind], *python_bursts[kind]] for kind in kinds}
    report(args, kinds, bursts, paced, drained, slack, rows, sent_by_python)


def report(
    args: argparse.Namespace,
    kinds: list[str],
    bursts: dict[str, list[Run]],
    paced: dict[str, list[Run]],
    drained: dict[str, list[float]],
    slack: Run,
    rows: dict[str, dict[str, tuple[int, int]]],
    sent_by_python: dict[str, list[Run]],
) -> None:
    load = f"wrk, {args.wrk_seconds} s" if args.load == "wrk" else f"python, {args.requests} req"
    print(
        f"ingest: signed GitHub deliveries ({len(BODY):,} B) over loopback, waitress {THREADS} "
        f"threads; {args.consumer_threads} job thread(s) in the bridge's process (bridge) or in "
        f"a worker process beside it (bridge + worker); {args.rounds} rounds of bursts from "
        f"{args.clients} clients ({load}), then {args.paced_rounds} paced rounds of "
        f"{args.paced_seconds:g} s, servers in turn"
    )
    if args.load == "python":
        print(
            "  (bursts from python threads: the client's own time per request holds back the "
            "faster server, so the ratio flatters the slower one; with wrk installed the bursts "
            "come from wrk)"
        )
    print(f"  {'':<30}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'2xx/sent':>12}   (medians)")
    for kind in kinds:
        print(line(f"{KINDS[kind]}, bursts", bursts[kind]))
    for kind in kinds:
        print(line(f"{KINDS[kind]}, paced {args.rate:.0f}/s", paced[kind]))
    for kind in kinds[1:]:
        ratios = [
            mine.rate / base.rate
            for mine, base in zip(bursts[kind], bursts["minimal"], strict=True)
        ]
        caught_up = f"; its jobs caught up {statistics.median(drained[kind]):.1f} s after a burst"
        rates = [run.rate for run in bursts[kind]]
        print(
            f"{KINDS[kind]} bursts, by round: {spread(rates)} deliveries/s  (target >= 1,000 "
            f"for one serve process on SQLite); ratio to the minimal app {spread(ratios)}"
            + (caught_up if args.consumer_threads else "")
        )
        by_round = [run.percentile(99) for run in paced[kind]]
        print(
            f"{KINDS[kind]} p99 at {args.rate:.0f}/s, by round: {spread(by_round)} ms, all "
            f"rounds pooled: {pooled_p99(paced[kind]):.1f} ms  (target <= 50 ms on SQLite)"
        )
    held = sum(run.rate >= 0.95 * args.rate for run in paced["minimal"])
    print(
        f"the minimal app held {args.rate:.0f}/s in {held} of {args.paced_rounds} paced rounds; "
        f"its p99 by round: {spread([run.percentile(99) for run in paced['minimal']])} ms"
    )
    # A shared machine has slow spells in which even the minimal app misses the target; the
    # rounds in which it met it show what the bridge adds when the machine is not the limit.
    quiet = [n for n, run in enumerate(paced["minimal"]) if run.percentile(99) <= 50]
    for kind in kinds[1:]:
        if quiet:
            p99s = [paced[kind][n].percentile(99) for n in quiet]
            print(
                f"{KINDS[kind]} p99 in the {len(quiet)} rounds where the minimal app's was "
                f"<= 50 ms: {spread(p99s)} ms"
            )
    print(
        f"slack /escalate ack: p50 {slack.percentile(50):.1f} ms, "
        f"p99 {slack.percentile(99):.1f} ms  (target <= 100 ms), statuses {slack.statuses}"
    )
    for kind in kinds:
        accepted = sum(run.accepted() for run in sent_by_python[kind])
        total, distinct = rows[kind]["all"]
        stored = f"rows {KINDS[kind]}: {total} stored"
        if args.load == "wrk":
            wrk_total, wrk_distinct = rows[kind]["wrk"]
            answered = sum(run.accepted() for run in bursts[kind])
            total, distinct = total - wrk_total, distinct - wrk_distinct
            stored += f" ({wrk_total} from wrk, which saw {answered} answered)"
        print(
            f"{stored}; {accepted} deliveries sent one by one and accepted: "
            f"lost {accepted - distinct}, duplicated {total - distinct}"
        )


def pooled_p99(runs: list[Run]) -> float:
    return Run(latencies=[latency for run in runs for latency in run.latencies]).percentile(99)


def line(name: str, runs: list[Run]) -> str:
    accepted = sum(run.accepted() for run in runs)
    sent = sum(run.sent for run in runs)
    rate = statistics.median(run.rate for run in runs)
    p50 = statistics.median(run.percentile(50) for run in runs)
    p99 = statistics.median(run.percentile(99) for run in runs)
    return f"  {name:<30}{rate:>9.0f}{p50:>10.1f}{p99:>10.1f}{accepted:>8}/{sent}"


if __name__ == "__main__":
    main()
