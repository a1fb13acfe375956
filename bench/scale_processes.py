"""The processes ``bench/scale.py`` measures: where the queue and database live, the worker
processes, and the CPU each side used.

Run as a script, this module is one worker process: ``support-bridge worker`` itself, with rate
budgets that never bind, ending when its parent does.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The bridge's own budgets (Jira 10/s, Zendesk 700/min, Slack 50/min...) would cap one and two
# workers alike; the bench measures the consumers, so its workers get budgets that never bind.
WIDE_BUDGET = "1000/second"
TICKS = os.sysconf("SC_CLK_TCK")
LOCAL_HOSTS = {None, "", "localhost", "127.0.0.1", "::1"}


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a local process (Linux /proc), NaN when unknown or gone."""
    try:  # utime and stime: fields 14 and 15 of /proc/<pid>/stat
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine (all cores), from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0]
    except OSError:
        return 0, 0
    numbers = [int(n) for n in first.split()[1:]]
    idle = numbers[3] + numbers[4]  # idle + iowait
    return sum(numbers) - idle, sum(numbers)


def _no_services() -> dict[str, float]:
    return {}


@dataclass
class Backend:
    """Where the queue and the database live; ``service_cpu`` reads the CPU seconds their
    server processes have used so far (PostgreSQL backends of this bench, Redis)."""

    label: str
    env: dict[str, str]
    service_cpu: Callable[[], dict[str, float]] = field(default=_no_services)


def fallback_reasons(database_url: str, redis_url: str) -> list[str]:
    """Why the distributed mode cannot run here; empty when PostgreSQL and Redis answer."""
    import redis
    from sqlalchemy import create_engine

    reasons = []
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        reasons.append(f"Redis unreachable: {type(exc).__name__}")
    engine = create_engine(database_url, connect_args={"connect_timeout": 2})
    try:
        engine.connect().close()
    except Exception as exc:  # any driver error means: not available here
        reasons.append(f"PostgreSQL unreachable: {type(exc).__name__}")
    finally:
        engine.dispose()
    return reasons


@contextlib.contextmanager
def backend(database_url: str, redis_url: str, workdir: Path, embedded: bool) -> Iterator[Backend]:
    """PostgreSQL (a schema of its own, dropped afterwards) and Redis (the db flushed before
    and after) when both answer, else the embedded SQLite database and queue."""
    (workdir / "var").mkdir()  # the data directory, and the worker logs' place in either mode
    env = {"BRIDGE_DATA_DIR": str(workdir / "var")}
    reasons = ["--embedded"] if embedded else fallback_reasons(database_url, redis_url)
    if reasons:
        yield Backend(f"the embedded SQLite database and queue ({'; '.join(reasons)})", env)
        return
    import redis
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    queue = redis.Redis.from_url(redis_url)
    admin = create_engine(database_url)
    schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
    url = make_url(database_url)
    ours = url.update_query_dict({"options": f"-csearch_path={schema}", "application_name": schema})

    def service_cpu() -> dict[str, float]:
        info = queue.info("cpu")
        used = {"redis": float(info["used_cpu_user"]) + float(info["used_cpu_sys"])}
        if url.host not in LOCAL_HOSTS:
            return used  # its backends' pids are another machine's
        query = text("SELECT pid FROM pg_stat_activity WHERE application_name = :name")
        with admin.connect() as connection:
            pids = connection.execute(query, {"name": schema}).scalars().all()
        return used | {f"pg {pid}": cpu_seconds(pid) for pid in pids}

    queue.flushdb()
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    env |= {
        "BRIDGE_DATABASE_URL": ours.render_as_string(hide_password=False),
        "BRIDGE_REDIS_URL": redis_url,
    }
    redis_shown = re.sub(r"//[^@/]*@", "//***@", redis_url)
    label = f"PostgreSQL (schema {schema}) + Redis ({redis_shown}, flushed): distributed mode"
    try:
        yield Backend(label, env, service_cpu)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        queue.flushdb()


class Workers:
    """``count`` worker processes (``support-bridge worker --threads N``), stopped on exit."""

    def __init__(self, count: int, threads: int, env: dict[str, str], logs: Path) -> None:
        self.command = [sys.executable, __file__, str(threads)]
        self.env = os.environ | env
        stamp = time.monotonic_ns()
        self.logs = [logs / f"worker-{stamp}-{n}.log" for n in range(count)]
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def check_alive(self) -> None:
        for process, log in zip(self.processes, self.logs, strict=True):
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"worker {process.pid} exited ({process.returncode}):\n{tail}")

    def cpu_seconds(self) -> list[float]:
        return [cpu_seconds(pid) for pid in self.pids]

    def __enter__(self) -> Workers:
        try:
            for path in self.logs:
                with path.open("wb") as log:
                    # A session of their own: Ctrl-C reaches the bench, which stops them.
                    worker = subprocess.Popen(
                        self.command, env=self.env, stdout=log, stderr=log, start_new_session=True
                    )
                    self.processes.append(worker)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()  # the consumer's SIGTERM: stop now
        interrupted: KeyboardInterrupt | None = None
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except (subprocess.TimeoutExpired, KeyboardInterrupt) as exc:
                # A second Ctrl-C while waiting still leaves no worker behind.
                process.kill()
                process.wait()
                if isinstance(exc, KeyboardInterrupt):
                    interrupted = exc
        if interrupted is not None:
            raise interrupted


def run_worker(threads: int) -> None:
    from bridge.connectors.registry import installed_budgets
    from bridge_cli.serve import worker

    wide = dict.fromkeys(installed_budgets(), WIDE_BUDGET)
    os.environ["BRIDGE_RATE_LIMITS"] = json.dumps(wide)  # read when the worker loads settings
    parent = os.getppid()

    def stop_with_parent() -> None:  # a bench killed outright leaves no worker behind
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_with_parent, daemon=True).start()
    worker.main(["--threads", str(threads)], prog_name="support-bridge worker")


if __name__ == "__main__":
    run_worker(int(sys.argv[1]))
