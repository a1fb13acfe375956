"""The bridge stopped while a release ships: the worker that starts again finds the release
through catch-up, as real processes on the embedded engine."""

from __future__ import annotations

from pathlib import Path

import requests
from sqlalchemy import select

from bridge.runtime import Runtime
from bridge.store.tables import CatchUpWatermark, InboxRow
from sandbox import Sandbox
from sandbox.runner import DEFAULT_REPO
from tests.faults.processes import BridgeProcess, wait_until


def _watermarked(runtime: Runtime) -> bool:
    with runtime.sessions() as session:
        return session.get(CatchUpWatermark, ("github", DEFAULT_REPO)) is not None


def _release_rows(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        rows = session.scalars(select(InboxRow).where(InboxRow.event_type == "release.published"))
        return [row.status for row in rows]


def test_a_worker_started_after_downtime_catches_up_on_the_release_it_missed(
    sandbox: Sandbox, runtime: Runtime, env: dict[str, str], isolated_settings: Path
) -> None:
    first = BridgeProcess("worker-1", ["worker", "--threads", "1"], env, isolated_settings)
    try:
        wait_until(lambda: _watermarked(runtime), "the first start records a watermark", [first])
    finally:
        first.stop()

    # The bridge is down: no webhook reaches it while the release ships.
    control = f"{sandbox.urls['github']}/_sandbox/repos/{DEFAULT_REPO}/releases"
    made = requests.post(control, json={"tag_name": "v9.9.9", "body": "Fixed: #7"}, timeout=10)
    assert made.status_code == 201
    assert _release_rows(runtime) == []

    second = BridgeProcess("worker-2", ["worker", "--threads", "1"], env, isolated_settings)
    try:
        wait_until(
            lambda: _release_rows(runtime) in (["done"], ["ignored"]),
            "the missed release is stored and processed",
            [second],
        )
        assert "caught up on 1 event(s) sent while the bridge was down" in second.output()
    finally:
        second.stop()
