"""Setting the bridge up: each command a new operator runs says what is wrong in one line,
naming the setting to change, and never a traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bridge.cli import main


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
