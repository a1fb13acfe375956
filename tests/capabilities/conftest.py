from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.connectors.registry import events_of
from bridge.runtime import Runtime
from tests.capabilities.unheard_of import install
from tests.helpers import migrated_runtime

TOKEN = "board-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}


@pytest.fixture
def unheard_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The connectors of ``unheard_of.py`` installed beside the built-in ones."""
    events_of.cache_clear()
    install(tmp_path / "site", monkeypatch)
    yield
    events_of.cache_clear()


@pytest.fixture
def runtime(
    isolated_settings: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    """A migrated runtime with no connector configured, its board open to ``AUTH``."""
    monkeypatch.setenv("BRIDGE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "board-secret-key-for-tests")
    with migrated_runtime() as built:
        yield built
