"""Setting the bridge up: each command a new operator runs says what is wrong in one line,
naming the setting to change, and never a traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bridge_cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_db_upgrade_with_a_data_directory_that_cannot_be_created_names_the_variable(
    isolated_settings: Path, monkeypatch
) -> None:
    (isolated_settings / "taken").write_text("a file where the directory should be\n")
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(isolated_settings / "taken" / "var"))
    code, output = run("db", "upgrade")
    assert code == 2
    assert output == (
        f"support-bridge: BRIDGE_DATA_DIR: cannot use the directory {isolated_settings}/taken/var: "
        "Not a directory; point BRIDGE_DATA_DIR at a directory this user can write\n"
    )


def test_serve_with_an_unusable_data_directory_says_so_in_one_line(
    isolated_settings: Path, monkeypatch
) -> None:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", f"sqlite:///{isolated_settings}/bridge.db")
    assert run("db", "upgrade")[0] == 0
    (isolated_settings / "taken").write_text("a file where the directory should be\n")
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(isolated_settings / "taken"))
    code, output = run("serve", "--port", "1")
    assert code == 2
    assert output == (
        f"support-bridge: BRIDGE_DATA_DIR: cannot use the directory {isolated_settings}/taken: "
        "it is a file, not a directory; point BRIDGE_DATA_DIR at a directory this user can "
        "write\n"
    )


def test_demo_with_an_invalid_bridge_yaml_names_the_file_and_line(isolated_settings: Path) -> None:
    (isolated_settings / "bridge.yaml").write_text("routing: [\n", encoding="utf-8")
    code, output = run("demo")
    assert code == 2
    assert output.startswith("support-bridge: bridge.yaml: line 2, column 1: ")
    assert len(output.splitlines()) == 1
    assert "Traceback" not in output


def test_inbox_list_with_an_unknown_status_names_the_choices() -> None:
    assert run("db", "upgrade")[0] == 0
    code, output = run("inbox", "list", "--status", "bogus")
    assert code == 2
    assert "Invalid value for '--status': 'bogus' is not one of" in output
    assert "'held'" in output


def test_config_show_never_prints_the_database_password(monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", "postgresql://bridge:hunter2-db@db.internal/bridge")
    code, output = run("config", "show")
    assert code == 0
    assert "hunter2" not in output
    assert "database_url: postgresql+psycopg://bridge:***@db.internal/bridge" in output


def test_the_slack_manifest_prints_before_the_app_has_given_its_bot_token(
    isolated_settings: Path, monkeypatch
) -> None:
    (isolated_settings / "bridge.yaml").write_text(
        "connectors:\n  slack:\n    team_id: T0123ABCD\n", encoding="utf-8"
    )
    monkeypatch.setenv("BRIDGE_PUBLIC_URL", "https://bridge.example.com")
    code, output = run("slack", "manifest")
    assert code == 0, output
    assert "url: https://bridge.example.com/slack/commands" in output


JIRA = (
    "connectors:\n  jira:\n    url: https://acme.atlassian.net\n    email: ops@acme.test\n"
    "    api_token: jira-token-value\n"
)


def test_config_check_fails_for_a_connector_no_webhook_can_reach_naming_the_variable(
    isolated_settings: Path,
) -> None:
    (isolated_settings / "bridge.yaml").write_text(JIRA, encoding="utf-8")
    code, output = run("config", "check", "--offline")
    assert code == 1
    assert output.splitlines()[0].startswith("configuration valid, with set-up problems")
    assert (
        "set-up problem: BRIDGE_JIRA_WEBHOOK_SECRET: connectors.jira is configured but "
        "BRIDGE_JIRA_WEBHOOK_SECRET is not set (or blank), so every request to /webhooks/jira "
        "is answered 404 and Jira's issue updates (the AR's status, the fix version released) "
        "never arrive; fix: set BRIDGE_JIRA_WEBHOOK_SECRET to the secret the jira webhook "
        "signs with"
    ) in output.splitlines()
    assert "jira-token-value" not in output


def test_config_check_passes_once_the_webhook_secret_is_set(
    isolated_settings: Path, monkeypatch
) -> None:
    (isolated_settings / "bridge.yaml").write_text(JIRA, encoding="utf-8")
    monkeypatch.setenv("BRIDGE_JIRA_WEBHOOK_SECRET", "jira-webhook-secret")
    code, output = run("config", "check", "--offline")
    assert code == 0, output
    assert "set-up problem" not in output


def test_doctor_fails_for_slack_without_its_signing_secret(isolated_settings: Path) -> None:
    from tests.connectors.test_slack_routing_check import doctor_rows

    (isolated_settings / "bridge.yaml").write_text(
        "connectors:\n  slack:\n    bot_token: xoxb-not-a-real-token\n", encoding="utf-8"
    )
    assert run("db", "upgrade")[0] == 0
    code, output = run("doctor")
    assert code == 1
    [(status, detail, fix)] = doctor_rows(output, "set-up")
    assert status == "FAIL"
    assert detail.startswith(
        "BRIDGE_SLACK_SIGNING_SECRET: connectors.slack is configured but "
        "BRIDGE_SLACK_SIGNING_SECRET is not set (or blank), so every request to /slack/* is "
        "answered 404"
    )
    assert fix == (
        "set BRIDGE_SLACK_SIGNING_SECRET to the Slack app's Signing Secret (Basic Information "
        "→ App Credentials)"
    )
    assert "xoxb-not-a-real-token" not in output


def test_a_blank_connector_secret_is_invalid_naming_the_variable_to_set(
    isolated_settings: Path,
) -> None:
    (isolated_settings / "bridge.yaml").write_text(
        JIRA.replace("jira-token-value", '""'), encoding="utf-8"
    )
    code, output = run("config", "check", "--offline")
    assert code == 2
    assert output == (
        'support-bridge: connectors: jira.api_token is blank (""): set it, here or with '
        "BRIDGE_CONNECTORS__JIRA__API_TOKEN, or remove the key\n"
    )


def test_a_blank_api_token_variable_says_the_api_stays_closed(monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_API_TOKEN", "")
    code, output = run("config", "check", "--offline")
    assert code == 1
    assert (
        'set-up problem: BRIDGE_API_TOKEN: is set but blank (""): the API and the board\'s '
        "login stay closed; fix: give it a value"
    ) in output.splitlines()


def test_a_severity_left_out_of_sla_is_named_since_it_would_get_no_clocks(
    isolated_settings: Path,
) -> None:
    (isolated_settings / "bridge.yaml").write_text(
        "sla:\n  severities:\n    1: {acknowledge: {hours: 4}}\n    2: {acknowledge: {hours: 8}}\n"
        "    4: {acknowledge: {hours: 48}}\n",
        encoding="utf-8",
    )
    code, output = run("config", "check", "--offline")
    assert code == 1
    [line] = [line for line in output.splitlines() if line.startswith("set-up problem")]
    assert line == (
        "set-up problem: sla.severities.3: severity 3 has no policy, so its escalations get no "
        "SLA clocks (no acknowledgement, reply or patch deadline, never at risk or breached); "
        "fix: add it, for instance 3: {acknowledge: {hours: 24}}"
    )


def test_the_readme_try_it_path_logs_in_to_the_board_with_only_the_api_token(
    isolated_settings: Path,
) -> None:
    """`make run` with BRIDGE_API_TOKEN exported, as the README says: the banner names the
    board, `/` links it, and the browser login works without BRIDGE_SECRET_KEY because the
    embedded sandbox keeps a generated key in the data directory."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import requests

    from tests.foundation.test_cli import SERVE_DEADLINE_SECONDS, free_port

    exe = Path(sys.executable).with_name("support-bridge")
    env = {**os.environ, "BRIDGE_API_TOKEN": "change-me"}
    subprocess.run([exe, "db", "upgrade"], check=True, env=env, capture_output=True)
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        started, home = time.monotonic(), None
        while time.monotonic() - started < SERVE_DEADLINE_SECONDS and home is None:
            try:
                home = requests.get(f"{address}/", timeout=1)
            except requests.ConnectionError:
                time.sleep(0.1)
        assert home is not None, "no answer on / within 10 s"
        login = requests.post(
            f"{address}/board/login", data={"token": "change-me"}, allow_redirects=False, timeout=5
        )
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=20)[0].decode()
    assert home.status_code == 200
    assert 'href="/board"' in home.text
    assert login.status_code == 303, login.text
    assert login.headers["Set-Cookie"].startswith("session=")
    assert (isolated_settings / "var" / "secret_key").exists()
    assert (
        f"Escalation board: {address}/board (log in with the value of BRIDGE_API_TOKEN); "
        f"every page is linked from {address}/"
    ) in output


def test_serve_refuses_to_point_escalations_of_an_earlier_sandbox_at_a_new_one(
    isolated_settings: Path, monkeypatch
) -> None:
    import socket

    from tests.api.test_escalations_api import request_body
    from tests.helpers import migrated_runtime
    from tests.services.conftest import add_ticket
    from webhooks.app import create_app

    monkeypatch.setenv("BRIDGE_API_TOKEN", "change-me")
    with migrated_runtime() as runtime:  # the README's curl, on an earlier `make run`
        add_ticket(runtime, "100")
        answer = (
            create_app(runtime=runtime)
            .test_client()
            .post(
                "/api/escalations",
                json=request_body("100"),
                headers={"Authorization": "Bearer change-me"},
            )
        )
        assert answer.status_code == 201, answer.json
    with socket.socket() as taken:  # were serve to start, it would stop here, not hang
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, output = run("serve", "--port", str(taken.getsockname()[1]))
    assert code == 2
    assert output == (
        "support-bridge: the database holds 1 open escalation(s) played on an earlier run of "
        "the sandbox, whose tickets, issues and Slack messages were kept in memory and are "
        f"gone, so their next steps would fail; start afresh (`rm -r {isolated_settings}/var`, "
        "then `make run`) or configure your own connectors in bridge.yaml\n"
    )
