"""The table and the reading of it that ``bench/scale.py`` prints."""

from __future__ import annotations

import math
import os
import statistics
from dataclasses import dataclass

from bench.e2e import LATENCY
from bench.scale_processes import WIDE_BUDGET


@dataclass
class Measure:
    workers: int
    threads: int
    rows: int
    seconds: float
    done_by: list[int]
    dead: int
    worker_cpu: list[float]  # CPU seconds, each worker
    sandbox_cpu: float  # this process: the sandbox's servers (and the bench's polling)
    service_cpu: float  # Redis, and PostgreSQL backends (polling's too); NaN when embedded
    machine_busy: float  # share of all the machine's cores

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def thread_ms_per_row(self) -> float:
        return 1000 * self.workers * self.threads * self.seconds / self.rows

    def core_share(self, seconds: float) -> float:
        return seconds / self.seconds


def _percent(share: float) -> str:
    return "-" if math.isnan(share) else f"{share:.0%}"


def _or_zero(seconds: float) -> float:
    return 0.0 if math.isnan(seconds) else seconds


def report(runs: list[Measure], label: str, duplicates: int, missing: int) -> None:
    cores = os.cpu_count() or 1
    print(f"side-effect throughput, every upstream call +{LATENCY * 1000:.0f} ms (sandbox)")
    print(f"  on {label}")
    print(f"  {runs[0].rows} rows a run: Slack posts, Zendesk notes, Jira comments, 1 call each")
    print(f"  the bridge's own rate budgets are widened to {WIDE_BUDGET} in these workers")
    print("                                     rows by   thread  CPU, % of one core     machine")
    print(
        "  workers threads  seconds  rows/s  ceiling  worker  ms/row  workers sandbox db+q"
        f"  busy/{cores} cores"
    )
    for run in runs:
        ceiling = run.workers * run.threads / LATENCY
        each = " ".join(f"{run.core_share(s):.0%}" for s in run.worker_cpu)
        print(
            f"  {run.workers:7d} {run.threads:7d}  {run.seconds:7.2f}  {run.rate:6.1f}  "
            f"{ceiling:7.0f}  {'/'.join(map(str, run.done_by)):>7}  {run.thread_ms_per_row:6.0f}"
            f"  {each:>7} {run.core_share(run.sandbox_cpu):7.0%} "
            f"{_percent(run.core_share(run.service_cpu)):>4}  {run.machine_busy:8.0%}"
        )
    by = {n: [run for run in runs if run.workers == n] for n in (1, 2)}
    rate = {n: statistics.median(run.rate for run in by[n]) for n in by}
    print(f"  median rows/s: 1 worker {rate[1]:.1f}, 2 workers {rate[2]:.1f}")
    print(f"  ratio 2 workers / 1 worker  {rate[2] / rate[1]:5.2f}  (ideal 2.00)")
    print(f"  duplicates in the sandbox   {duplicates:5d}  (target 0)")
    dead = sum(run.dead for run in runs)
    print(f"  rows missing in the sandbox {missing:5d}  (target 0); dead letters {dead}")
    ms = {n: statistics.median(run.thread_ms_per_row for run in by[n]) for n in by}
    two = by[2]
    ours = statistics.median(
        (sum(r.worker_cpu) + r.sandbox_cpu + _or_zero(r.service_cpu)) / r.seconds / cores
        for r in two
    )
    busy = statistics.median(run.machine_busy for run in two)
    print(
        f"  ideal 2.00: a row is mostly a wait of {LATENCY * 1000:.0f} ms on the vendor, so twice "
        "the threads do twice the rows while CPU is free."
    )
    print(
        f"  measured: a thread spent {ms[1]:.0f} ms a row with 1 worker and {ms[2]:.0f} ms with 2"
        f" (the upstream call itself: {LATENCY * 1000:.0f} ms); with 2 workers the machine's"
        f" {cores} cores were {busy:.0%} busy: {ours:.0%} this bench's processes (workers,"
        f" sandbox, database and queue servers), {max(busy - ours, 0):.0%} other work."
    )
    verdict = (
        "CPU was nearly used up: what a row's time grew by is likely waiting for a core."
        if busy >= 0.8
        else "CPU was not used up, so not only CPU: the shortfall is per-row time outside the"
        " vendor call (claim, settle, queue, the sandbox's one process), grown with 2 workers."
    )
    print(f"  {verdict}")
