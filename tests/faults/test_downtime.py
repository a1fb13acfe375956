"""The bridge stopped while a release ships: the worker that starts again finds the release
through catch-up, as real processes on the embedded engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import select

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.tables import CatchUpWatermark, InboxRow
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from sandbox.runner import DEFAULT_CHANNEL, DEFAULT_REPO
from tests.faults.processes import BridgeProcess, bridge_env, wait_until
from tests.helpers import running_sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def env(sandbox: Sandbox, isolated_settings: Path) -> dict[str, str]:
    connectors = connector_settings(sandbox)
    del connectors["email"]
    config = {"routing": {"default_channel": DEFAULT_CHANNEL}, "connectors": connectors}
    path = isolated_settings / "bridge.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return bridge_env({"CONFIG": str(path), "DATA_DIR": str(isolated_settings / "var")})


@pytest.fixture
def runtime(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """This process's view of the database the workers share."""
    for name, value in env.items():
        if name.startswith("BRIDGE_"):
            monkeypatch.setenv(name, value)
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    built = bootstrap(settings)
    yield built
    built.close()


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
