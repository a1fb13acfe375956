"""`doctor` lists each credential that expires with its expiry or its last refresh failure, and
fails when one is expired or failing: Zendesk's OAuth tokens and deprecated API token, a GitHub
App's installation token, a Jira token whose expiry the configuration names."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import requests
import yaml
from click.testing import CliRunner, Result

from bridge_cli import main
from sandbox import Sandbox

from .test_slack_routing_check import doctor_rows

ZENDESK = "credential zendesk"


def zendesk_oauth(sandbox: Sandbox, **changed: str) -> dict[str, Any]:
    creds = sandbox.credentials["zendesk"]
    given = {
        "url": sandbox.urls["zendesk"],
        "oauth_client_id": creds["oauth_client_id"],
        "oauth_client_secret": creds["oauth_client_secret"],
    }
    return given | changed


def doctor(workdir: Path, connectors: dict[str, Any]) -> Result:
    config = {"connectors": connectors}
    (workdir / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    # Each connector's webhook can reach the bridge, so doctor judges the credentials alone.
    signed = {f"BRIDGE_{name.upper()}_WEBHOOK_SECRET": "webhook-secret" for name in connectors}
    runner = CliRunner(env=signed)
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner.invoke(main, ["doctor"])


def days_until(day: str) -> int:
    return (dt.date.fromisoformat(day) - dt.datetime.now(dt.UTC).date()).days


def test_the_oauth_token_is_listed_with_its_renewal_and_expiry(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    result = doctor(isolated_settings, {"zendesk": zendesk_oauth(sandbox)})

    assert result.exit_code == 0, result.output
    [(status, detail, fix)] = doctor_rows(result.output, ZENDESK)
    assert status == "OK"
    assert detail.startswith("Zendesk OAuth token: renewed ")
    assert ", expires " in detail
    assert fix == ""


def test_an_oauth_client_zendesk_refuses_fails_doctor_with_zendesks_reason(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    """An admin rotated the client's secret in Zendesk (the sandbox's ``POST /_sandbox/oauth``)
    and the bridge still has the old one."""
    client, secret = f"rotated-{uuid.uuid4().hex[:6]}", "the-old-secret"
    control = f"{sandbox.urls['zendesk']}/_sandbox/oauth"
    for current in (secret, "the-new-secret"):
        added = requests.post(
            control, json={"client_id": client, "client_secret": current}, timeout=5
        )
        assert added.status_code == 200
    configured = zendesk_oauth(sandbox, oauth_client_id=client, oauth_client_secret=secret)

    result = doctor(isolated_settings, {"zendesk": configured})

    assert result.exit_code == 1, result.output
    [(status, detail, fix)] = doctor_rows(result.output, ZENDESK)
    assert status == "FAIL"
    assert detail.startswith("Zendesk OAuth token: last refresh failed at ")
    assert ": invalid_client" in detail
    assert "oauth_client_id and oauth_client_secret" in fix
    assert secret not in result.output


def test_the_deprecated_api_token_names_the_day_zendesk_refuses_it_and_the_fix(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    creds = sandbox.credentials["zendesk"]
    configured = {
        "url": sandbox.urls["zendesk"],
        "email": creds["email"],
        "api_token": creds["api_token"],
    }

    result = doctor(isolated_settings, {"zendesk": configured})

    assert result.exit_code == 0, result.output
    [(status, detail, fix)] = doctor_rows(result.output, ZENDESK)
    assert status == "OK"
    assert detail == (
        "Zendesk API token: refused by Zendesk from 2027-04-30 "
        f"(in {days_until('2027-04-30')} days)"
    )
    assert "set connectors.zendesk.oauth_client_id and oauth_client_secret" in fix
    assert creds["api_token"] not in result.output


def test_the_github_app_installation_token_shows_its_renewal(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    creds = sandbox.credentials["github"]
    configured = {
        "base_url": sandbox.urls["github"],
        "repository": creds["repo"],
        "app_id": creds["app_id"],
        "installation_id": creds["installation_id"],
        "private_key": creds["private_key"],
    }

    result = doctor(isolated_settings, {"github": configured})

    assert result.exit_code == 0, result.output
    [(status, detail, _)] = doctor_rows(result.output, "credential github")
    assert status == "OK"
    assert detail.startswith("GitHub App installation token: renewed ")
    assert ", expires " in detail


def test_a_github_app_whose_installation_is_gone_fails_with_githubs_words(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    creds = sandbox.credentials["github"]
    configured = {
        "base_url": sandbox.urls["github"],
        "repository": creds["repo"],
        "app_id": creds["app_id"],
        "installation_id": 999_999,
        "private_key": creds["private_key"],
    }

    result = doctor(isolated_settings, {"github": configured})

    assert result.exit_code == 1, result.output
    [(status, detail, fix)] = doctor_rows(result.output, "credential github")
    assert status == "FAIL"
    assert detail.startswith("GitHub App installation token: last refresh failed at ")
    assert "HTTP 404" in detail
    assert "installation_id" in fix
    assert "PRIVATE KEY" not in result.output


def jira_with_token_expiring(sandbox: Sandbox, day: dt.date) -> dict[str, Any]:
    creds = sandbox.credentials["jira"]
    return {
        "url": sandbox.urls["jira"],
        "email": creds["email"],
        "api_token": creds["api_token"],
        "token_expires": day.isoformat(),
        "spar_issue_type": "Task",  # one the sandbox's project has (doctor checks it)
    }


def test_a_jira_token_past_its_configured_expiry_fails_doctor(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)

    result = doctor(isolated_settings, {"jira": jira_with_token_expiring(sandbox, yesterday)})

    assert result.exit_code == 1, result.output
    [(status, detail, fix)] = doctor_rows(result.output, "credential jira")
    assert (status, detail) == ("FAIL", f"Jira API token: expired on {yesterday.isoformat()}")
    assert fix == (
        "create a new token, then set connectors.jira.api_token and connectors.jira.token_expires"
    )


def test_a_jira_token_expiring_soon_is_listed_with_the_days_left(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=9)

    result = doctor(isolated_settings, {"jira": jira_with_token_expiring(sandbox, soon)})

    assert result.exit_code == 0, result.output
    [(status, detail, _)] = doctor_rows(result.output, "credential jira")
    assert (status, detail) == ("OK", f"Jira API token: expires {soon.isoformat()} (in 9 days)")
