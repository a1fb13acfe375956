"""Real `support-bridge` processes for the fault tests: started with the settings in their
environment, killed with SIGKILL, and waited on with failures that show what they logged."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from sqlalchemy import select, update

from bridge.jobs.engine import PENDING_GRACE, sweep
from bridge.runtime import Runtime
from bridge.store.tables import InboxRow, OutboxRow

# The console script beside the interpreter running the tests (.venv/bin/support-bridge).
SUPPORT_BRIDGE = str(Path(sys.executable).with_name("support-bridge"))
STDERR_TAIL = 3000


class BridgeProcess:
    """One `support-bridge` command running in the background; its output goes to a file so a
    chatty process never blocks on a full pipe."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            [SUPPORT_BRIDGE, *args],
            cwd=workdir,
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def lease_owner(self) -> str:
        """How this process signs the leases it takes (bridge.jobs.clock.worker_identity)."""
        return f"{socket.gethostname()}:{self.pid}"

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, nothing after the current instruction runs."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def bridge_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any BRIDGE_* setting, plus ``settings`` (names
    without the prefix: ``{"DATA_DIR": ...}`` becomes BRIDGE_DATA_DIR). The sandbox the test
    started is the only one: a subprocess never starts its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    env |= {"BRIDGE_SANDBOX": "off", "BRIDGE_LOG_LEVEL": "info"}
    env |= {f"BRIDGE_{name.upper()}": value for name, value in settings.items()}
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(
    done: Callable[[], bool],
    what: str,
    processes: Iterable[BridgeProcess] = (),
    timeout: float = 30.0,
    interval: float = 0.1,
) -> None:
    """Poll ``done`` until it holds; otherwise fail naming ``what`` with each process's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(interval)
    logs = "\n".join(
        f"--- {p.name} (pid {p.pid}, exit {p.popen.poll()}) ---\n{p.output()[-STDERR_TAIL:]}"
        for p in processes
    )
    raise AssertionError(f"timed out after {timeout:.0f} s waiting until {what}\n{logs}")


def expire_leases(runtime: Runtime, dead: BridgeProcess) -> int:
    """Move the leases a killed process held into the past: this stands for the lease running
    out (INBOX_LEASE 5 min, OUTBOX_LEASE 2 min) without waiting for it. Returns how many."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with runtime.sessions.begin() as session:
        expired = 0
        for table in (InboxRow, OutboxRow):
            result = session.execute(
                update(table)
                .where(table.lease_owner == dead.lease_owner, table.lease_until.is_not(None))
                .values(lease_until=past)
                .returning(table.id)
            )
            expired += len(result.all())
        return expired


def let_time_pass(runtime: Runtime, seconds: float = 10.0) -> None:
    """What the minute sweep does once ``seconds`` more have passed: every side effect waiting
    to retry (a backoff, a thread reply waiting for its head message) is that much nearer its
    turn, and deliveries whose job was lost with a killed worker are past their grace. Called
    once a second it runs the waits about ten times faster, no faster: a reply waiting for a
    head message still queued behind Slack's one message a second per channel spends its
    attempts at the pace it would. Claims still use the real clock, so a live worker's lease
    is never taken from it."""
    now = dt.datetime.now(dt.UTC)
    waiting = (OutboxRow.status == "pending") & (OutboxRow.next_attempt_at > now)
    with runtime.sessions.begin() as session:
        for row in session.scalars(select(OutboxRow).where(waiting)):
            row.next_attempt_at -= dt.timedelta(seconds=seconds)
    sweep(runtime, now + PENDING_GRACE)
