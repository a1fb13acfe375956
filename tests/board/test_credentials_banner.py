"""Credentials that are about to stop working show on the board before they do: a banner names
each one expiring within 14 days or whose last refresh failed, with its fix. The credentials
here are the sandbox's; the refusals are its Zendesk's."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from flask.testing import FlaskClient

from bridge.config import load_settings
from bridge.runtime import Runtime, bootstrap
from bridge.services.ports import ConnectorError
from sandbox import Sandbox
from tests.helpers import running_sandbox

from .conftest import AUTH, DEFAULT, TOKEN

HTML = {**AUTH, "Accept": "text/html"}
JSON = {**AUTH, "Accept": "application/json"}
SECRET = "the-secret-the-bridge-has"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


def set_secret(sandbox: Sandbox, client: str, secret: str) -> None:
    control = f"{sandbox.urls['zendesk']}/_sandbox/oauth"
    answer = requests.post(control, json={"client_id": client, "client_secret": secret}, timeout=5)
    assert answer.status_code == 200


@pytest.fixture
def client_id(sandbox: Sandbox) -> str:
    identifier = f"board-{uuid.uuid4().hex[:6]}"
    set_secret(sandbox, identifier, SECRET)
    return identifier


def connectors(sandbox: Sandbox, client_id: str, jira_expires: dt.date) -> dict[str, Any]:
    jira = sandbox.credentials["jira"]
    return {
        "zendesk": {
            "url": sandbox.urls["zendesk"],
            "oauth_client_id": client_id,
            "oauth_client_secret": SECRET,
        },
        "jira": {
            "url": sandbox.urls["jira"],
            "email": jira["email"],
            "api_token": jira["api_token"],
            "token_expires": jira_expires.isoformat(),
        },
    }


@pytest.fixture
def jira_expires() -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)


@pytest.fixture
def runtime(
    database_url: str,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
    client_id: str,
    jira_expires: dt.date,
) -> Iterator[Runtime]:
    config = {
        "routing": {"default_channel": DEFAULT},
        "connectors": connectors(sandbox, client_id, jira_expires),
    }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "board-secret-key-for-tests")
    built = bootstrap(load_settings())
    yield built
    built.close()


def banner(page: str) -> str | None:
    found = re.search(
        r'<section class="gave-up-banner credentials-banner".*?</section>', page, re.S
    )
    return " ".join(re.sub(r"<[^>]+>", " ", found.group()).split()) if found else None


def test_no_banner_while_every_credential_renews_and_none_expires_soon(
    runtime: Runtime, client: FlaskClient
) -> None:
    assert runtime.connectors["zendesk"].check().ok  # a worker signs in

    response = client.get("/board", headers=JSON)

    assert banner(client.get("/board", headers=HTML).text) is None
    assert response.json is not None and response.json["credentials"] == []


def test_an_oauth_client_zendesk_refuses_shows_until_a_renewal_succeeds(
    runtime: Runtime, client: FlaskClient, sandbox: Sandbox, client_id: str
) -> None:
    zendesk = runtime.connectors["zendesk"]
    assert zendesk.check().ok
    set_secret(sandbox, client_id, "rotated-in-zendesk")
    sandbox.zendesk.expire_tokens()
    with pytest.raises(ConnectorError, match="invalid_client"):
        zendesk.get_ticket("1")  # type: ignore[attr-defined]

    shown = banner(client.get("/board", headers=HTML).text)

    assert shown is not None
    assert shown.startswith("1 credential of the bridge needs attention Zendesk OAuth token: ")
    assert re.search(r"last refresh failed at \d\d:\d\d UTC: invalid_client", shown)
    assert "check connectors.zendesk.oauth_client_id and oauth_client_secret" in shown
    assert "support-bridge doctor lists every credential with its expiry." in shown
    assert SECRET not in shown and "rotated-in-zendesk" not in shown

    set_secret(sandbox, client_id, SECRET)  # the admin puts the secret back
    assert zendesk.check().ok
    assert banner(client.get("/board", headers=HTML).text) is None


@pytest.mark.parametrize("jira_expires", [dt.datetime.now(dt.UTC).date() + dt.timedelta(days=13)])
def test_a_jira_token_expiring_within_14_days_shows_with_its_day_and_fix(
    client: FlaskClient, jira_expires: dt.date
) -> None:
    shown = banner(client.get("/board", headers=HTML).text)
    listed = client.get("/board", headers=JSON).json

    assert shown == (
        "1 credential of the bridge needs attention "
        f"Jira API token: expires {jira_expires.isoformat()} (in 13 days) — create a new token, "
        "then set connectors.jira.api_token and connectors.jira.token_expires "
        "support-bridge doctor lists every credential with its expiry."
    )
    assert listed is not None
    assert [(found["connector"], found["kind"]) for found in listed["credentials"]] == [
        ("jira", "api_token")
    ]
