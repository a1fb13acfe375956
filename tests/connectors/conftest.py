"""Connectors against the sandbox through the real client libraries.

One sandbox for the module's tests; a contract violation fails the test behind it. Retries
happen without sleeping (``bridge.connectors.retry.set_testing``), so fault tests run in
milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import jira
import pytest
from limits.storage import MemoryStorage

from bridge.connectors import retry
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context
from bridge.connectors.results import EarlierResults
from bridge.runtime import Runtime
from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver
from tests.helpers import held_to_the_contract, migrated_runtime, receiving_webhooks


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.jira.world.add_project("DEV", "Development")
        yield running


@pytest.fixture(scope="session")
def receiver(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    with receiving_webhooks(sandbox) as running:
        yield running


def delivered(receiver: WebhookReceiver, vendor: str) -> list[dict]:
    return [json.loads(hit.body) for hit in receiver.at(f"/{vendor}")]


@pytest.fixture(autouse=True)
def contract_checked(sandbox: Sandbox) -> Iterator[None]:
    with held_to_the_contract(sandbox):
        yield


@pytest.fixture(autouse=True)
def retries_without_sleeping() -> Iterator[None]:
    retry.set_testing(True, attempts=3)
    yield
    retry.set_testing(False)


@pytest.fixture(autouse=True)
def no_library_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jira.client.time, "sleep", lambda seconds: None)


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    with migrated_runtime() as built:
        yield built


@pytest.fixture
def context(runtime: Runtime) -> Context:
    gate = RateGate(MemoryStorage(), rates={})
    return Context(gate=gate, earlier=EarlierResults(runtime.sessions))
