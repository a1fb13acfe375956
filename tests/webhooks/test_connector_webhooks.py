"""A connector brings its own webhook: a class declaring ``receiver`` is served at
``/webhooks/<its key>`` with its secret in ``connectors.<key>.webhook_secret``, though nothing
in webhooks/ names it.

The connector is docs/connectors.md's example, installed by a throw-away distribution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from bridge.config import load_settings
from bridge.config.errors import ConfigError
from bridge.config.readiness import gaps
from bridge.connectors.registry import receivers, webhook_purposes
from bridge.runtime import Runtime
from tests.helpers import migrated_runtime
from tests.webhooks.signing import hex_hmac

BODY = json.dumps({"event": "record.changed", "record": "7", "changed_at": "2026-01-05T10:00:00Z"})


def configure(folder: Path, **jsonl: str) -> None:
    section = {"path": str(folder / "records.jsonl"), **jsonl}
    Path("bridge.yaml").write_text(yaml.safe_dump({"connectors": {"jsonl": section}}))


def signed(body: str, secret: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Acme-Signature": "sha256=" + hex_hmac(secret, body.encode()),
    }


@pytest.fixture
def runtime(docs_connector: Path) -> Iterator[Runtime]:
    configure(docs_connector, webhook_secret="acme-new, acme-old")
    with migrated_runtime() as runtime:
        yield runtime


def test_an_installed_connector_declaring_a_receiver_is_found() -> None:
    assert {"github", "jira", "zendesk", "freshdesk"} <= set(receivers())
    assert "slack" not in receivers()  # Slack's own routes are webhooks/slack


def test_its_webhook_is_served_at_its_key_with_the_secret_of_its_settings(
    client: FlaskClient, inbox
) -> None:
    assert "jsonl" in receivers()
    response = client.post("/webhooks/jsonl", data=BODY, headers=signed(BODY, "acme-new"))

    assert response.status_code == 202, response.json
    assert response.json["status"] == "accepted"
    [row] = inbox()
    assert (row.source, row.event_type, row.record_key) == ("jsonl", "record.changed", "record:7")
    assert row.body == BODY.encode()


def test_every_secret_of_a_rotation_verifies_and_no_other(client: FlaskClient, inbox) -> None:
    old = client.post("/webhooks/jsonl", data=BODY, headers=signed(BODY, "acme-old"))
    forged = client.post("/webhooks/jsonl", data=BODY, headers=signed(BODY, "acme-other"))

    assert old.status_code == 202
    assert (forged.status_code, forged.json["error"]) == (401, "bad_signature")
    assert len(inbox()) == 1


def test_it_climbs_the_same_guard_ladder(client: FlaskClient, inbox) -> None:
    unsigned = client.post("/webhooks/jsonl", data=BODY, content_type="application/json")
    ping = json.dumps({"event": "ping"})
    pinged = client.post("/webhooks/jsonl", data=ping, headers=signed(ping, "acme-new"))
    nameless = json.dumps({"event": "record.changed"})
    malformed = client.post("/webhooks/jsonl", data=nameless, headers=signed(nameless, "acme-new"))

    assert (unsigned.status_code, unsigned.json["error"]) == (400, "missing_header")
    assert (pinged.status_code, pinged.json["status"]) == (200, "ignored")
    assert (malformed.status_code, malformed.json["error"]) == (400, "bad_id")
    assert inbox() == []


def test_without_its_secret_the_webhook_is_off_and_config_check_says_what_is_lost(
    docs_connector: Path,
) -> None:
    configure(docs_connector)
    settings = load_settings()
    with migrated_runtime() as runtime:
        from webhooks.app import create_app

        response = (
            create_app(runtime=runtime)
            .test_client()
            .post("/webhooks/jsonl", data=BODY, headers=signed(BODY, "acme-new"))
        )

    assert response.status_code == 404
    assert response.json == {
        "error": "not_configured",
        "detail": "jsonl webhooks are off: BRIDGE_CONNECTORS__JSONL__WEBHOOK_SECRET unset",
    }
    [gap] = [gap for gap in gaps(settings, webhook_purposes()) if "jsonl" in gap.problem]
    assert gap.key == "BRIDGE_CONNECTORS__JSONL__WEBHOOK_SECRET"
    assert "/webhooks/jsonl is answered 404 and Acme's record updates never arrive" in gap.problem


def test_a_blank_webhook_secret_of_a_third_party_connector_is_refused(
    docs_connector: Path,
) -> None:
    configure(docs_connector, webhook_secret=" ")
    with pytest.raises(ConfigError, match=r"jsonl\.webhook_secret is blank"):
        load_settings()


def test_a_blank_webhook_secret_of_a_built_in_connector_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIDGE_CONNECTORS__GITHUB__REPOSITORY", "acme/app")
    monkeypatch.setenv("BRIDGE_CONNECTORS__GITHUB__TOKEN", "ghp-token")
    monkeypatch.setenv("BRIDGE_CONNECTORS__GITHUB__WEBHOOK_SECRET", "")
    with pytest.raises(ConfigError, match=r"github\.webhook_secret is blank"):
        load_settings()


def test_a_source_no_installed_connector_receives_is_a_json_404(client: FlaskClient) -> None:
    response = client.post("/webhooks/nobody", data=BODY, headers=signed(BODY, "acme-new"))

    assert response.status_code == 404
    assert response.json["error"] == "not_configured"


def test_a_built_in_connectors_secret_is_read_before_its_older_spelling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIDGE_GITHUB_WEBHOOK_SECRET", "older")
    monkeypatch.setenv("BRIDGE_CONNECTORS__GITHUB__REPOSITORY", "acme/app")
    monkeypatch.setenv("BRIDGE_CONNECTORS__GITHUB__TOKEN", "ghp-token")
    assert load_settings().webhook_secrets("github") == [b"older"]

    monkeypatch.setenv("BRIDGE_CONNECTORS__GITHUB__WEBHOOK_SECRET", "newer, older")
    settings = load_settings()

    assert settings.webhook_secrets("github") == [b"newer", b"older"]
    assert settings.older_spellings() == [
        "BRIDGE_GITHUB_WEBHOOK_SECRET is the older spelling of connectors.github.webhook_secret "
        "(BRIDGE_CONNECTORS__GITHUB__WEBHOOK_SECRET); it keeps working"
    ]
