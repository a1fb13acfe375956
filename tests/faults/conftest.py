"""What every fault proof starts from: a sandbox of its own, and the embedded engine (SQLite
database and queue in the work directory) with every connector pointed at it; the same
settings for this process and the workers it starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from sandbox import Sandbox
from sandbox.embedded import connector_settings
from sandbox.runner import DEFAULT_CHANNEL
from tests.faults.processes import bridge_env
from tests.helpers import running_sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def env(sandbox: Sandbox, isolated_settings: Path) -> dict[str, str]:
    """The workers' environment: bridge.yaml naming the sandbox, the data in the work directory."""
    connectors = connector_settings(sandbox)
    del connectors["email"]
    config = {"routing": {"default_channel": DEFAULT_CHANNEL}, "connectors": connectors}
    config_path = isolated_settings / "bridge.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return bridge_env({"CONFIG": str(config_path), "DATA_DIR": str(isolated_settings / "var")})


@pytest.fixture
def runtime(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """This process's view of the database the workers share: it plans and reads rows."""
    for name, value in env.items():
        if name.startswith("BRIDGE_"):
            monkeypatch.setenv(name, value)
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    built = bootstrap(settings)
    yield built
    built.close()
