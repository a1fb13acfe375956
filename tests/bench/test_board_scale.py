"""``bench/board_scale.py`` run small, so the benchmark the README's figure comes from keeps
working as the board changes: it seeds, checks the board shows the seeded names, and prints
each page's time beside the plain query's, with the ratio."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(
    *extra: str, open_count: int = 120, closed: int = 400
) -> subprocess.CompletedProcess[str]:
    database = os.environ.get("BRIDGE_TEST_DATABASE_URL")
    backends = ["--database-url", database] if database else ["--sqlite-only"]
    command = [sys.executable, "bench/board_scale.py", "--requests", "3", *backends, *extra]
    command += ["--open", str(open_count), "--closed", str(closed)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_the_board_benchmark_prints_each_page_beside_the_plain_query() -> None:
    done = run_bench("--limit-ms", "60000")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "seeded 120 open and 400 closed escalations" in done.stdout
    for page in (
        "/board (due first)",
        "/board?state=active",
        "/board?level=2",
        "/board?team=#escalations-emea",
        "/board JSON",
        "/board/escalations/<id>",
    ):
        line = next(line for line in done.stdout.splitlines() if line.startswith(page + " "))
        assert line.rstrip().endswith("yes"), line
        if page != "/board/escalations/<id>":
            assert re.search(r"\d+\.\dx\s+yes$", line), line  # the ratio to the plain query
    insights = [line for line in done.stdout.splitlines() if line.startswith("/board/insights")]
    # SQLite's table, and PostgreSQL's when it answers (CI): the same four timings in each.
    assert {line.split("  ")[0] for line in insights} == {
        "/board/insights",
        "/board/insights, running week recounted",
        "/board/insights?weeks=104",
        "/board/insights.csv",
    }, done.stdout
    assert len(insights) in (4, 8), done.stdout
    assert all(line.rstrip().endswith("yes") for line in insights), insights


def test_a_page_slower_than_the_limit_fails_the_run() -> None:
    done = run_bench("--limit-ms", "0.001", open_count=30, closed=30)
    assert done.returncode == 1
    assert "NO" in done.stdout
    assert "p95 is above 0 ms" in done.stderr
