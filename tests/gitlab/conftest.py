"""The GitLab connector and its sandbox, through python-gitlab: one sandbox for the module's
tests, a request GitLab would refuse failing the test that made it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from limits.storage import MemoryStorage

from bridge.connectors import retry
from bridge.connectors.gitlab import GitLabConnector
from bridge.connectors.gitlab.settings import GitLabSettings
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context
from sandbox import Sandbox
from sandbox.gitlab.app import GitlabServer
from tests.helpers import held_to_the_contract

PROJECT = "acme/widgets"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def gitlab_server(sandbox: Sandbox) -> GitlabServer:
    server = sandbox.vendors["gitlab"]
    assert isinstance(server, GitlabServer)
    return server


@pytest.fixture(autouse=True)
def contract_checked(sandbox: Sandbox) -> Iterator[None]:
    with held_to_the_contract(sandbox):
        yield


@pytest.fixture(autouse=True)
def retries_without_sleeping() -> Iterator[None]:
    retry.set_testing(True, attempts=3)
    yield
    retry.set_testing(False)


def gitlab_settings(sandbox: Sandbox, **overrides: object) -> dict[str, object]:
    """``connectors.gitlab`` pointed at the sandbox, as bridge.yaml would hold it."""
    credentials = sandbox.credentials["gitlab"]
    return {
        "url": sandbox.urls["gitlab"],
        "project": credentials["project"],
        "token": credentials["token"],
        "webhook_secret": sandbox.webhook_secrets["gitlab"],
    } | overrides


@pytest.fixture
def connector(sandbox: Sandbox) -> GitLabConnector:
    return GitLabConnector.from_settings(
        gitlab_settings(sandbox), Context(gate=RateGate(MemoryStorage(), rates={}))
    )


def settings_of(connector: GitLabConnector) -> GitLabSettings:
    return connector.settings
