"""A migrated bridge with every webhook source configured, secrets mid-rotation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.runtime import Runtime
from tests.helpers import migrated_runtime
from tests.webhooks.signing import OLD_SECRETS, SECRETS, secret_variable


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for source, secret in SECRETS.items():
        monkeypatch.setenv(secret_variable(source), f"{OLD_SECRETS[source]}, {secret}")


@pytest.fixture
def runtime(configured: None) -> Iterator[Runtime]:
    with migrated_runtime() as runtime:
        yield runtime
