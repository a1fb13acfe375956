"""One sandbox for the whole contract suite; a contract violation fails the test behind it."""

from __future__ import annotations

from collections.abc import Iterator

import github
import jira
import pytest
from slack_sdk import WebClient

from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver
from tests.helpers import held_to_the_contract, receiving_webhooks


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture(scope="session")
def receiver(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    with receiving_webhooks(sandbox) as running:
        yield running


@pytest.fixture(autouse=True)
def contract_checked(sandbox: Sandbox) -> Iterator[None]:
    with held_to_the_contract(sandbox):
        yield


@pytest.fixture
def gh(sandbox: Sandbox) -> github.Github:
    return github.Github(
        base_url=sandbox.urls["github"],
        auth=github.Auth.Token(sandbox.credentials["github"]["token"]),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


@pytest.fixture
def jira_client(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> jira.JIRA:
    # The library sleeps a second after creating a version to let Jira Cloud's index catch
    # up; the sandbox is consistent at once, and the suite should stay fast.
    monkeypatch.setattr(jira.client.time, "sleep", lambda seconds: None)
    creds = sandbox.credentials["jira"]
    return jira.JIRA(server=sandbox.urls["jira"], basic_auth=(creds["email"], creds["api_token"]))


@pytest.fixture
def jira_v3(sandbox: Sandbox) -> jira.JIRA:
    creds = sandbox.credentials["jira"]
    return jira.JIRA(
        server=sandbox.urls["jira"],
        basic_auth=(creds["email"], creds["api_token"]),
        options={"rest_api_version": "3"},
    )


@pytest.fixture
def slack(sandbox: Sandbox) -> WebClient:
    return WebClient(
        token=sandbox.credentials["slack"]["token"], base_url=sandbox.urls["slack"] + "/api/"
    )
