from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.connectors.registry import events_of
from tests.capabilities.unheard_of import install


@pytest.fixture
def unheard_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The connectors of ``unheard_of.py`` installed beside the built-in ones."""
    events_of.cache_clear()
    install(tmp_path / "site", monkeypatch)
    yield
    events_of.cache_clear()
