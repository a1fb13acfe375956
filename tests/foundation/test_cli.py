"""The command line as an operator uses it: doctor's table, and serve answering /healthz."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from click.testing import CliRunner

from bridge_cli import main

SERVE_DEADLINE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_of(output: str, check: str) -> str:
    """The status cell of doctor's row for ``check``."""
    for row in output.splitlines():
        cells = [cell.strip() for cell in row.split("│")]
        if len(cells) > 2 and cells[1] == check:
            return cells[2]
    raise AssertionError(f"doctor printed no row for {check!r}:\n{output}")


def test_doctor_on_a_healthy_embedded_setup_is_all_ok() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    for check in ("configuration", "database", "migrations", "queue", "connectors"):
        assert status_of(result.output, check) == "OK"
    assert "FAIL" not in result.output


def test_doctor_names_each_broken_part_with_a_fix(isolated_settings: Path, monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_JIRA_WEBHOOK_SECRET", "jira-webhook-secret")
    (isolated_settings / "bridge.yaml").write_text(
        "connectors:\n"
        "  jira:\n"
        "    url: http://127.0.0.1:9\n"
        "    personal_access_token: pat-secret-value\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert status_of(result.output, "database") == "FAIL"
    assert "does not exist" in result.output
    assert "db upgrade" in result.output
    assert "pat-secret-value" not in result.output

    CliRunner().invoke(main, ["db", "upgrade"])
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert status_of(result.output, "connector jira") == "FAIL"
    assert "cannot reach http://127.0.0.1:9" in result.output
    assert status_of(result.output, "database") == "OK"
    assert status_of(result.output, "migrations") == "OK"


def test_serve_refuses_to_start_on_a_database_never_created() -> None:
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert result.output.startswith("support-bridge: BRIDGE_DATABASE_URL: database file ")
    assert not Path("var/bridge.db").exists()


def test_serve_answers_healthz_within_ten_seconds_and_stops_on_sigterm(
    isolated_settings: Path,
) -> None:
    exe = Path(sys.executable).with_name("support-bridge")
    env = dict(os.environ)
    subprocess.run([exe, "db", "upgrade"], check=True, env=env, capture_output=True)
    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        answered = None
        while time.monotonic() - started < SERVE_DEADLINE_SECONDS and answered is None:
            try:
                answered = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answered is not None, "no answer on /healthz within 10 s"
        assert answered.json() == {"status": "ok"}
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0
    assert f"Support Bridge on http://127.0.0.1:{port}" in output.decode()
    # Nothing configured: the embedded default runs on the local sandbox and says so in one line.
    assert "No connectors configured: running on the local sandbox (Jira http://127.0.0.1:" in (
        output.decode()
    )


def test_inbox_list_shows_held_rows_and_replay_queues_them_again() -> None:
    from bridge.config import load_settings
    from bridge.jobs.clock import utcnow
    from bridge.runtime import bootstrap
    from bridge.store.inbox import Delivery

    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    runtime = bootstrap(load_settings())
    row_id = runtime.inbox.store(Delivery("intake", "m-1", "ticket", b"{}"), utcnow()).row_id
    runtime.inbox.claim(row_id, "w", utcnow(), dt.timedelta(minutes=1))
    runtime.inbox.finish(row_id, "w", "held", utcnow(), "unregistered requester")
    runtime.close()

    listed = runner.invoke(main, ["inbox", "list", "--status", "held"])
    assert listed.exit_code == 0
    assert "unregistered requester" in listed.output
    replayed = runner.invoke(main, ["inbox", "replay", str(row_id)])
    assert replayed.exit_code == 0, replayed.output
    assert replayed.output == f"queued again: {row_id}\n"
    assert "held" not in runner.invoke(main, ["inbox", "list", "--status", "held"]).output.split(
        "│"
    )
    missing = runner.invoke(main, ["inbox", "replay", "9999"])
    assert missing.exit_code == 1
    assert "not found or being processed now: 9999" in missing.output


def test_the_sandbox_is_never_started_once_a_real_connector_is_configured(monkeypatch) -> None:
    from bridge.config import load_settings
    from bridge_cli.serve import _wants_sandbox

    assert _wants_sandbox(load_settings()) is True
    monkeypatch.setenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN", "xoxb-real")
    assert _wants_sandbox(load_settings()) is False
    monkeypatch.delenv("BRIDGE_CONNECTORS__SLACK__BOT_TOKEN")
    monkeypatch.setenv("BRIDGE_SANDBOX", "off")
    assert _wants_sandbox(load_settings()) is False
