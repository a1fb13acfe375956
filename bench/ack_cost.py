"""Where an acknowledgement's CPU goes, for the bridge and for ``bench/ingest.py``'s minimal
verify-and-insert app: the app's own work beside the server's, and the rate one core's worth
of the bridge's server acknowledges.

    .venv/bin/python bench/ack_cost.py [--deliveries 3000] [--rounds 5] [--load auto|python|wrk]

1. **In the app**: each app's WSGI callable called directly, no server and no socket, for one
   delivery after another; CPU time of this process per delivery (no job consumer runs).
2. **Under waitress**: each server in a process of its own, started as ``bench/ingest.py`` starts
   it (the bridge with no job threads: the acknowledgement alone), and a burst of deliveries;
   the server process's CPU per delivery, from ``/proc`` (Linux).

The apps take turns, round by round; the report gives medians. What waitress itself spends on
a delivery (HTTP parsing, its threads and sockets) is the second figure less the first; under
load that share also holds what concurrency adds to each app (the minimal app's threads meeting
on SQLite's lock). A server that has used up its CPU answers at the inverse of its CPU per
delivery, so the report gives that rate for the bridge, and what the bridge's app may spend per
delivery for one process to acknowledge 1,000 a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.test import EnvironBuilder

from bench.ingest import start
from bench.ingest_load import BODY, drive, github_request, wrk_available, wrk_burst
from bench.ingest_servers import bridge_app, minimal_app

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
TICKS = os.sysconf("SC_CLK_TCK")


def environ(tag: str) -> dict[str, Any]:
    """The WSGI environ of one signed GitHub delivery, as a server would hand it over."""
    path, body, headers = github_request(tag)
    return EnvironBuilder(path, method="POST", data=body, headers=headers).get_environ()


def in_app(app: App, deliveries: int, tag: str) -> float:
    """CPU µs per delivery, the app called directly."""
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
        statuses.append(status)

    environs = [environ(f"{tag}-{n}") for n in range(deliveries)]
    started = time.process_time()
    for env in environs:
        for _chunk in app(env, start_response):
            pass
    spent = time.process_time() - started
    if any(not status.startswith("202") for status in statuses):
        raise SystemExit(f"{tag}: a delivery was not accepted: {set(statuses)}")
    return spent * 1e6 / deliveries


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def under_server(pid: int, port: int, args: argparse.Namespace, tag: str) -> float:
    """CPU µs of the server process per delivery answered in one burst."""
    before = cpu_seconds(pid)
    if args.load == "wrk":
        run = wrk_burst(port, tag, args.wrk_seconds, args.clients)
    else:
        deadline = time.perf_counter() + 60
        run = drive(port, github_request, tag, args.deliveries, args.clients, None, deadline)
    return (cpu_seconds(pid) - before) * 1e6 / max(run.sent, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=3000, help="per round (in the app)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--load", choices=["auto", "python", "wrk"], default="auto")
    parser.add_argument("--wrk-seconds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if args.load == "wrk" and not wrk_available():
        raise SystemExit("--load wrk: wrk is not installed (apt-get install wrk)")
    if args.load == "auto":
        args.load = "wrk" if wrk_available() else "python"
    kinds = ("minimal", "bridge")
    app_cost: dict[str, list[float]] = {kind: [] for kind in kinds}
    server_cost: dict[str, list[float]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp:
        dirs = {kind: Path(tmp, kind) for kind in kinds}
        for kind in kinds:
            dirs[kind].mkdir()
            Path(dirs[kind], "served").mkdir()
        apps = {
            "minimal": minimal_app(str(dirs["minimal"])),
            "bridge": bridge_app(str(dirs["bridge"])),
        }
        for kind in kinds:
            in_app(apps[kind], 200, f"{kind}-warm")
        for round_number in range(args.rounds):
            for kind in kinds:
                app_cost[kind].append(in_app(apps[kind], args.deliveries, f"{kind}-{round_number}"))
        apps["bridge"].extensions["bridge.runtime"].close()  # its threads stay out of the bursts
        servers = {kind: start(kind, str(dirs[kind] / "served"), 0) for kind in kinds}
        try:
            for round_number in range(args.rounds):
                for kind, (processes, port) in servers.items():
                    tag = f"{kind}-served{round_number}"
                    server_cost[kind].append(under_server(processes[0].pid, port, args, tag))
        finally:
            for processes, _ in servers.values():
                for process in processes:
                    process.terminate()
                    process.join(10)
    report(
        args,
        {k: statistics.median(v) for k, v in app_cost.items()},
        {k: statistics.median(v) for k, v in server_cost.items()},
    )


def report(args: argparse.Namespace, app: dict[str, float], server: dict[str, float]) -> None:
    load = f"wrk, {args.wrk_seconds} s" if args.load == "wrk" else "python threads"
    print(
        f"ack cost: signed GitHub deliveries ({len(BODY):,} B), CPU µs per delivery, median of "
        f"{args.rounds} rounds, the apps in turn; bursts from {args.clients} clients ({load})"
    )
    print(f"  {'':<34}{'minimal':>9}{'bridge':>9}{'bridge/minimal':>16}")
    rows = [
        ("in the app (WSGI called directly)", app),
        ("the whole server (waitress + app)", server),
        ("waitress's own share", {k: server[k] - app[k] for k in server}),
    ]
    for name, cost in rows:
        ratio = cost["bridge"] / cost["minimal"]
        print(f"  {name:<34}{cost['minimal']:>9.0f}{cost['bridge']:>9.0f}{ratio:>16.2f}")
    ceiling = 1e6 / server["bridge"]
    budget = 1e6 / 1000 - (server["bridge"] - app["bridge"])
    print(
        f"one core's worth of the bridge's server acknowledges about {ceiling:.0f} deliveries/s "
        f"(target >= 1,000: the bridge's app at <= {budget:.0f} µs a delivery at this server cost)"
    )


if __name__ == "__main__":
    main()
