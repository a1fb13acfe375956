"""Each module gets its own sandbox, so faults and deliberate violations stay contained."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver
from tests.helpers import receiving_webhooks


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults_left_behind(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.reset_faults()


@pytest.fixture(scope="module")
def receiver(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    with receiving_webhooks(sandbox) as running:
        yield running
