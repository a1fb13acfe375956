"""One sandbox for the whole contract suite; any contract violation fails the test that caused it."""

from __future__ import annotations

from collections.abc import Iterator

import github
import pytest

from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture(scope="session")
def receiver(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        for vendor in sandbox.vendors:
            sandbox.register_webhook(vendor, f"{running.url}/{vendor}")
        yield running


@pytest.fixture(autouse=True)
def held_to_the_contract(sandbox: Sandbox) -> Iterator[None]:
    before = len(sandbox.violations)
    yield
    sandbox.reset_faults()
    found = sandbox.violations[before:]
    if found:
        pytest.fail("contract violations:\n" + "\n".join(map(str, found)), pytrace=False)


@pytest.fixture
def gh(sandbox: Sandbox) -> github.Github:
    return github.Github(
        base_url=sandbox.urls["github"],
        auth=github.Auth.Token(sandbox.credentials["github"]["token"]),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
