"""``support-bridge slack manifest``: what an admin pastes at app creation points Slack at the
bridge's own routes, and says so when Slack could not reach the URL it was given."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from bridge_cli import main
from tests.slack.workspace import ALICE, CHANNEL, FORM, button
from tests.webhooks.signing import SECRETS, slack_headers


def printed_manifest(monkeypatch: pytest.MonkeyPatch, public_url: str, *args: str) -> Any:
    monkeypatch.setenv("BRIDGE_PUBLIC_URL", public_url)
    result = CliRunner().invoke(main, ["slack", "manifest", *args])
    assert result.exit_code == 0, result.output
    return result


def signed_post(client: FlaskClient, url: str, body: bytes, content_type: str) -> Any:
    headers = slack_headers(body, SECRETS["slack"], content_type)
    return client.post(urlsplit(url).path, data=body, headers=headers)


def test_every_url_in_the_manifest_is_answered_by_the_bridge(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = yaml.safe_load(printed_manifest(monkeypatch, "https://bridge.example.com/").stdout)

    [command] = manifest["features"]["slash_commands"]
    assert command["url"] == "https://bridge.example.com/slack/commands"
    form = {"command": command["command"], "text": "help", "user_id": ALICE}
    answer = signed_post(client, command["url"], urlencode(form).encode(), FORM)
    assert "`/escalate <ticket> [reason]`" in answer.json["text"]

    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    payload = urlencode({"payload": json.dumps(button("raise_level"))}).encode()
    assert signed_post(client, interactivity["request_url"], payload, FORM).status_code == 200

    events_url = manifest["settings"]["event_subscriptions"]["request_url"]
    check = json.dumps({"type": "url_verification", "challenge": "c-7"}).encode()
    answer = signed_post(client, events_url, check, "application/json")
    assert answer.json == {"challenge": "c-7"}


def test_the_bot_scopes_are_those_of_the_calls_the_bridge_makes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manifest = json.loads(printed_manifest(monkeypatch, "https://b.example.com", "--json").stdout)

    assert manifest["oauth_config"]["scopes"]["bot"] == [
        "channels:history",
        "channels:read",
        "chat:write",
        "commands",
        "groups:history",
        "groups:read",
        "im:write",
        "usergroups:read",
        "users:read",
    ]
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert CHANNEL not in json.dumps(manifest)  # nothing of one workspace in it


def test_a_url_slack_cannot_reach_is_named_and_the_manifest_still_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = printed_manifest(monkeypatch, "http://127.0.0.1:8080")

    assert "Slack only calls https:// URLs; set BRIDGE_PUBLIC_URL" in result.stderr
    assert "Slack cannot reach this machine's loopback address" in result.stderr
    assert yaml.safe_load(result.stdout)["display_information"]["name"] == "Support Bridge"


def test_in_socket_mode_the_manifest_names_no_url_and_needs_no_public_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__SOCKET_MODE", "true")  # no bot token yet

    result = printed_manifest(monkeypatch, "http://127.0.0.1:8080", "--json")

    manifest = json.loads(result.stdout)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["interactivity"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["event_subscriptions"] == {
        "bot_events": ["app_uninstalled", "tokens_revoked"]
    }
    assert "http" not in result.stdout
    assert "support-bridge:" not in result.output  # a loopback address is fine: Slack never calls


def test_socket_mode_from_the_command_line_wins_over_the_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manifest = json.loads(
        printed_manifest(monkeypatch, "https://b.example.com", "--json", "--socket-mode").stdout
    )

    assert manifest["settings"]["socket_mode_enabled"] is True
