"""Setting Socket Mode up: the app-level token checked by `config check`, `doctor` and `serve`,
and `serve` holding the connection in a thread of its own and closing it when it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from bridge_cli import main
from bridge_cli.demo import free_port
from sandbox import Sandbox
from tests.connectors.test_slack_routing_check import configure, doctor_rows, slack_of


def test_socket_mode_without_an_app_token_is_a_clear_configuration_error(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__SOCKET_MODE", "true")

    result = CliRunner().invoke(main, ["config", "check", "--offline"])

    assert result.exit_code == 2, result.output
    assert "connectors.slack" in result.output
    assert "socket_mode is on but app_token is not set" in result.output
    assert "BRIDGE_CONNECTORS__SLACK__APP_TOKEN" in result.output


def test_a_bot_token_given_as_the_app_token_is_refused_without_showing_it(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__SOCKET_MODE", "true")
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__APP_TOKEN", "xoxb-secret-value-42")

    result = CliRunner().invoke(main, ["config", "check", "--offline"])

    assert result.exit_code == 2
    assert "not an app-level token" in result.output
    assert "secret-value-42" not in result.output


def test_in_socket_mode_no_signing_secret_is_asked_for(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__SOCKET_MODE", "true")
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__APP_TOKEN", "xapp-1-A1-secret")

    result = CliRunner().invoke(main, ["config", "check", "--offline"])

    assert result.exit_code == 0, result.output
    assert "BRIDGE_SLACK_SIGNING_SECRET" not in result.output


def _socket_mode_config(sandbox: Sandbox, workdir: Path, app_token: str) -> None:
    slack = slack_of(sandbox) | {"socket_mode": True, "app_token": app_token}
    configure(workdir, {"default_channel": "#support"}, slack)


def test_doctor_checks_the_app_token_slack_will_be_asked_with(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    _socket_mode_config(sandbox, isolated_settings, sandbox.credentials["slack"]["app_token"])
    accepted = runner.invoke(main, ["doctor"])
    _socket_mode_config(sandbox, isolated_settings, "xapp-1-A0-revoked-one")
    refused = runner.invoke(main, ["doctor"])

    [(status, detail, _fix)] = doctor_rows(accepted.output, "connector slack")
    assert (status, detail.endswith("Socket Mode's app-level token accepted")) == ("OK", True)
    [(status, detail, fix)] = doctor_rows(refused.output, "connector slack")
    assert status == "FAIL" and "Socket Mode cannot connect" in detail and "invalid_auth" in detail
    assert fix.startswith("check connectors.slack.app_token")
    assert refused.exit_code == 1 and "revoked-one" not in refused.output


def test_serve_stops_at_once_when_slack_refuses_the_app_token(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    _socket_mode_config(sandbox, isolated_settings, "xapp-1-A0-revoked-one")

    result = runner.invoke(main, ["serve", "--port", str(free_port())])

    assert result.exit_code != 0
    assert "connectors.slack.app_token: Slack refused the app-level token (invalid_auth)" in (
        result.output
    )
    assert "revoked-one" not in result.output and "Traceback" not in result.output


def test_serve_holds_the_socket_in_a_thread_and_closes_it_when_stopped(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    _socket_mode_config(sandbox, isolated_settings, sandbox.credentials["slack"]["app_token"])
    exe = Path(sys.executable).with_name("support-bridge")
    server = subprocess.Popen(
        [exe, "serve", "--port", str(port := free_port())],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    socket_mode = sandbox.slack.socket_mode
    try:
        assert server.stderr is not None
        told = ""
        for line in server.stderr:
            told += line
            if "Slack: Socket Mode" in line:
                break
        assert "Slack: Socket Mode, connected; no public URL is needed for Slack" in told, told
        assert socket_mode.connected == 1
        sandbox.slack.app.test_client().post(
            "/_sandbox/slash_command", json={"user_id": "U0ALICE001", "text": "help"}
        )
        sandbox.flush_webhooks()
        [answered] = sandbox.slack.webhooks.deliveries
        assert "/escalate <ticket>" in answered.answer["payload"]["text"]
        _wait_until_serving(port)  # SIGTERM stops serve cleanly once it serves
    finally:
        server.send_signal(signal.SIGTERM)
        logged, rest = server.communicate(timeout=30)
    assert server.returncode == 0, rest
    assert "slack.socket_mode.closed" in logged + rest  # closed by serve on its way out
    deadline = time.monotonic() + 10
    while socket_mode.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert socket_mode.connected == 0


def _wait_until_serving(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("serve did not answer /healthz")
