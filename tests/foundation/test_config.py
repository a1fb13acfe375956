"""Configuration errors are one line each, naming the key, and secrets are never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge.config import ConfigError, load_settings
from bridge_cli import main


def problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    return [str(problem) for problem in caught.value.problems]


def write_config(workdir: Path, text: str) -> None:
    (workdir / "bridge.yaml").write_text(text, encoding="utf-8")


def test_embedded_defaults_need_no_configuration_at_all() -> None:
    settings = load_settings()
    assert settings.resolved_database_url.endswith("/var/bridge.db")
    assert settings.distributed is False
    assert settings.sla.severities[1].acknowledge.hours == 4
    assert settings.sla.severities[2].acknowledge.hours == 24
    assert set(settings.calendars) >= {"us-florida", "uk", "france", "us-eastern", "24x7"}


def test_a_database_url_of_another_kind_is_named_with_its_variable(monkeypatch) -> None:
    assert problems(monkeypatch, BRIDGE_DATABASE_URL="mysql://root@localhost/bridge") == [
        "BRIDGE_DATABASE_URL: unsupported database 'mysql' (use sqlite or postgresql)"
    ]


def test_an_unparseable_database_url_is_named_with_its_variable(monkeypatch) -> None:
    [line] = problems(monkeypatch, BRIDGE_DATABASE_URL="not a url")
    assert line.startswith("BRIDGE_DATABASE_URL: not a database URL")


def test_plain_postgresql_urls_use_the_installed_psycopg_driver(monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_DATABASE_URL", "postgresql://bridge@db/bridge")
    assert load_settings().database_url == "postgresql+psycopg://bridge@db/bridge"


def test_yaml_syntax_errors_give_the_file_line_and_column(isolated_settings: Path) -> None:
    write_config(isolated_settings, "routing:\n  default_channel: '#esc'\n    bad: indent\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    [line] = [str(p) for p in caught.value.problems]
    assert line.startswith("bridge.yaml: line 3, column")


def test_a_missing_config_file_named_explicitly_is_an_error(monkeypatch, tmp_path) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert problems(monkeypatch, BRIDGE_CONFIG=str(missing)) == [
        f"BRIDGE_CONFIG: {missing}: no such file"
    ]


def test_unknown_connector_names_the_known_ones(isolated_settings: Path) -> None:
    write_config(isolated_settings, "connectors:\n  jirra:\n    url: https://x\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    [line] = [str(p) for p in caught.value.problems]
    assert line.startswith(
        "connectors: unknown connector 'jirra': did you mean 'jira'? (known: email, freshdesk,"
    )


def test_a_connector_without_its_secret_says_which_secret(isolated_settings: Path) -> None:
    write_config(
        isolated_settings,
        "connectors:\n  jira:\n    url: https://acme.atlassian.net\n    email: a@acme.test\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert [str(p) for p in caught.value.problems] == [
        "connectors.jira: missing secret: set one of api_token, personal_access_token"
    ]


ZENDESK = "connectors:\n  zendesk:\n    url: https://acme.zendesk.com\n"


def test_zendesk_oauth_needs_both_its_client_id_and_secret_and_no_api_token_beside(
    isolated_settings: Path,
) -> None:
    write_config(isolated_settings, ZENDESK + "    oauth_client_id: support-bridge\n")
    with pytest.raises(ConfigError) as alone:
        load_settings()
    write_config(
        isolated_settings,
        ZENDESK + "    oauth_client_id: support-bridge\n    oauth_client_secret: s3cret\n"
        "    email: a@acme.test\n    api_token: t0ken\n",
    )
    with pytest.raises(ConfigError) as both:
        load_settings()
    write_config(isolated_settings, ZENDESK)
    with pytest.raises(ConfigError) as neither:
        load_settings()

    assert [str(p) for p in alone.value.problems] == [
        "connectors.zendesk: oauth_client_id and oauth_client_secret are set together"
    ]
    assert [str(p) for p in both.value.problems] == [
        "connectors.zendesk: set the OAuth client or the deprecated api_token, not both"
    ]
    assert [str(p) for p in neither.value.problems] == [
        "connectors.zendesk: missing secret: set one of oauth_client_secret, api_token"
    ]


def test_config_check_says_how_zendesk_signs_in(isolated_settings: Path, monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_ZENDESK_WEBHOOK_SECRET", "zendesk-webhook-secret")
    write_config(
        isolated_settings,
        ZENDESK + "    oauth_client_id: support-bridge\n    oauth_client_secret: s3cret\n",
    )
    with_oauth = CliRunner().invoke(main, ["config", "check", "--offline"])
    write_config(isolated_settings, ZENDESK + "    email: a@acme.test\n    api_token: t0ken\n")
    with_token = CliRunner().invoke(main, ["config", "check", "--offline"])

    assert with_oauth.exit_code == with_token.exit_code == 0
    assert (
        "zendesk signs in with OAuth client 'support-bridge' "
        "(client credentials, scope 'read tickets:write')"
    ) in with_oauth.output
    assert "zendesk signs in with API token of a@acme.test (deprecated: Zendesk refuses API " in (
        with_token.output
    )
    assert "2027-04-30" in with_token.output
    assert "s3cret" not in with_oauth.output and "t0ken" not in with_token.output


def test_jira_settings_a_data_center_cannot_use_are_refused(isolated_settings: Path) -> None:
    write_config(
        isolated_settings,
        "connectors:\n  jira:\n    url: https://jira.acme.test\n    deployment: datacenter\n"
        "    personal_access_token: pat\n    description_format: adf\n",
    )
    with pytest.raises(ConfigError) as adf:
        load_settings()
    write_config(
        isolated_settings,
        "connectors:\n  jira:\n    url: https://jira.acme.test\n    deployment: datacenter\n"
        "    personal_access_token: pat\n    scoped_token: true\n",
    )
    with pytest.raises(ConfigError) as scoped:
        load_settings()

    assert [str(p) for p in adf.value.problems] == [
        "connectors.jira: Jira Data Center has REST v2 only: set description_format: wiki"
    ]
    assert [str(p) for p in scoped.value.problems] == [
        "connectors.jira: scoped_token is for Jira Cloud with email + api_token "
        "(a scoped API token)"
    ]


def test_a_slack_workspace_pin_that_is_not_a_slack_id_is_named(isolated_settings: Path) -> None:
    write_config(
        isolated_settings,
        "connectors:\n  slack:\n    bot_token: xoxb-1\n    team_id: acme\n"
        "    enterprise_id: T0ACME\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert [str(p) for p in caught.value.problems] == [
        "connectors.slack.team_id: not a Slack team_id (for instance T0123ABCD)",
        "connectors.slack.enterprise_id: not a Slack enterprise_id (for instance E0123ABCD)",
    ]


def test_a_secret_may_come_from_a_nested_environment_variable(
    isolated_settings: Path, monkeypatch
) -> None:
    write_config(
        isolated_settings,
        "connectors:\n  jira:\n    url: https://acme.atlassian.net\n    email: a@acme.test\n",
    )
    monkeypatch.setenv("BRIDGE_CONNECTORS__JIRA__API_TOKEN", "tok-123")
    settings = load_settings()
    assert settings.connectors.jira is not None
    assert settings.connectors.jira.api_token is not None
    assert settings.connectors.jira.api_token.get_secret_value() == "tok-123"
    assert settings.connectors.configured() == ["jira"]


def test_every_problem_is_listed_with_its_key_path(isolated_settings: Path) -> None:
    write_config(
        isolated_settings,
        "sla:\n  at_risk_fraction: 1.5\n"
        "calendars:\n  mars:\n    timezone: Mars/Olympus\n"
        "routing:\n  defualt_channel: '#x'\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    lines = [str(p) for p in caught.value.problems]
    assert "sla.at_risk_fraction: Input should be less than 1" in lines
    assert any(
        line.startswith("calendars.mars.timezone: unknown time zone 'Mars/Olympus'")
        for line in lines
    )
    assert "routing.defualt_channel: unknown key: did you mean 'default_channel'?" in lines


def test_the_default_calendar_must_be_one_of_the_calendars(isolated_settings: Path) -> None:
    write_config(isolated_settings, "sla:\n  default_calendar: atlantis\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    [line] = [str(p) for p in caught.value.problems]
    assert line.startswith("sla: default_calendar names 'atlantis', which is not one of calendars")


def test_config_check_prints_one_line_per_problem_and_exits_2(isolated_settings: Path) -> None:
    write_config(isolated_settings, "levels:\n  1: {role: manager}\n")
    result = CliRunner().invoke(main, ["config", "check"])
    assert result.exit_code == 2
    assert result.output == (
        "support-bridge: levels: must define exactly levels 1, 2 and 3, got [1]\n"
    )
    assert "Traceback" not in result.output


def test_serve_refuses_invalid_configuration_without_a_traceback(monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_LOG_LEVEL", "chatty")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert result.output.startswith("support-bridge: BRIDGE_LOG_LEVEL: Input should be")
    assert "Traceback" not in result.output


def test_config_show_masks_every_secret(isolated_settings: Path, monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_GITHUB_WEBHOOK_SECRET", "hunter2-github")
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "hunter2-key")
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 0
    assert "hunter2" not in result.output
    assert "github_webhook_secret: '**********'" in result.output


def test_config_show_masks_a_third_party_connectors_secrets_too(
    isolated_settings: Path, docs_connector: Path
) -> None:
    write_config(
        isolated_settings,
        "connectors:\n  jsonl:\n    url: https://acme.example\n    api_token: hunter2-token\n"
        "    webhook_secret: hunter2-hook\n    nested:\n      client_secret: hunter2-nested\n",
    )
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert "url: https://acme.example" in result.output
    assert "api_token: '**********'" in result.output


def test_webhook_secrets_accept_a_comma_separated_rotation(monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_GITHUB_WEBHOOK_SECRET", "new-secret, old-secret")
    settings = load_settings()
    assert settings.webhook_secrets("github") == [b"new-secret", b"old-secret"]
    assert settings.webhook_secrets("jira") == []


def test_a_github_app_whose_key_file_is_missing_is_named(isolated_settings: Path) -> None:
    write_config(
        isolated_settings,
        "connectors:\n  github:\n    repository: acme/product\n    app_id: 12345\n"
        "    installation_id: 67890\n    private_key_file: /nowhere/app.pem\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    [line] = [str(p) for p in caught.value.problems]
    assert "connectors.github" in line
    assert "private_key_file /nowhere/app.pem is not a readable file" in line


def test_a_github_app_without_a_key_asks_for_one(isolated_settings: Path) -> None:
    write_config(
        isolated_settings,
        "connectors:\n  github:\n    repository: acme/product\n    app_id: 12345\n"
        "    installation_id: 67890\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    [line] = [str(p) for p in caught.value.problems]
    assert "set one of private_key, private_key_file" in line
