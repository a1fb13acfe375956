"""`/metrics` shows each credential's expiry and how often renewing it failed, as the bridge's
workers met them: a Zendesk OAuth token the worker renews, then a client Zendesk refuses."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from bridge.runtime import Runtime
from bridge.services.ports import ConnectorError
from sandbox import Sandbox
from sandbox.helpdesk.zendesk_oauth import DEFAULT_LIFETIME
from tests.helpers import migrated_runtime
from webhooks.app import create_app

from .test_credential_expiry import zendesk_oauth

EXPIRY = re.compile(
    r'^bridge_credential_expiry_timestamp_seconds\{connector="zendesk",kind="oauth"\} (\S+)$', re.M
)
FAILURES = 'bridge_credential_refresh_failures_total{connector="zendesk",kind="oauth"}'


def set_secret(sandbox: Sandbox, client: str, secret: str) -> None:
    control = f"{sandbox.urls['zendesk']}/_sandbox/oauth"
    answer = requests.post(control, json={"client_id": client, "client_secret": secret}, timeout=5)
    assert answer.status_code == 200


@pytest.fixture
def client_id(sandbox: Sandbox) -> str:
    """A confidential client of the sandbox's Zendesk that this test alone uses."""
    identifier = f"metrics-{uuid.uuid4().hex[:6]}"
    set_secret(sandbox, identifier, "first-secret")
    return identifier


@pytest.fixture
def runtime(sandbox: Sandbox, isolated_settings: Path, client_id: str) -> Iterator[Runtime]:
    zendesk = zendesk_oauth(sandbox, oauth_client_id=client_id, oauth_client_secret="first-secret")
    config = {"connectors": {"zendesk": zendesk}}
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with migrated_runtime() as built:
        yield built


def scrape(runtime: Runtime) -> str:
    return create_app(runtime=runtime).test_client().get("/metrics").get_data(as_text=True)


def test_the_renewed_oauth_tokens_expiry_is_a_gauge(runtime: Runtime) -> None:
    assert runtime.connectors["zendesk"].check().ok  # a worker signs in

    text = scrape(runtime)

    [expires] = EXPIRY.findall(text)
    assert float(expires) == pytest.approx(time.time() + DEFAULT_LIFETIME, abs=60)
    assert f"{FAILURES} 0.0" in text


def test_a_client_zendesk_refuses_mid_run_counts_a_refresh_failure(
    runtime: Runtime, sandbox: Sandbox, client_id: str
) -> None:
    zendesk = runtime.connectors["zendesk"]
    assert zendesk.check().ok
    set_secret(sandbox, client_id, "rotated-secret")  # an admin rotated the secret in Zendesk
    sandbox.zendesk.expire_tokens()  # and the token the worker holds has run out

    with pytest.raises(ConnectorError, match="invalid_client"):
        zendesk.get_ticket("1")  # type: ignore[attr-defined]
    text = scrape(runtime)

    assert f"{FAILURES} 1.0" in text
    assert EXPIRY.findall(text), "the last expiry known stays shown"
    assert "first-secret" not in text and "rotated-secret" not in text
