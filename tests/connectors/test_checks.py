"""`doctor` signs in to every configured connector and says plainly when credentials fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bridge.config import load_settings
from bridge.connectors.probe import probe_connectors
from sandbox import Sandbox


def configured(sandbox: Sandbox, jira_token: str) -> dict[str, Any]:
    creds = sandbox.credentials
    return {
        "connectors": {
            "jira": {
                "url": sandbox.urls["jira"],
                "email": creds["jira"]["email"],
                "api_token": jira_token,
                "spar_issue_type": "Task",  # the sandbox's site has no issue type SPAR
            },
            "github": {
                "base_url": sandbox.urls["github"],
                "repository": "acme/widgets",
                "token": creds["github"]["token"],
            },
            "slack": {
                "base_url": sandbox.urls["slack"] + "/api/",
                "bot_token": creds["slack"]["token"],
            },
            "zendesk": {
                "url": sandbox.urls["zendesk"],
                "oauth_client_id": creds["zendesk"]["oauth_client_id"],
                "oauth_client_secret": creds["zendesk"]["oauth_client_secret"],
            },
            "email": {
                "host": creds["smtp"]["host"],
                "port": creds["smtp"]["port"],
                "security": "none",
                "sender": "support@acme.test",
            },
        }
    }


def rows(sandbox: Sandbox, jira_token: str) -> dict[str, tuple[bool, str]]:
    Path("bridge.yaml").write_text(yaml.safe_dump(configured(sandbox, jira_token)))
    return {c.name: (c.ok, c.detail) for c in probe_connectors(load_settings())}


def test_every_configured_connector_signs_in(sandbox: Sandbox) -> None:
    found = rows(sandbox, sandbox.credentials["jira"]["api_token"])

    assert set(found) == {f"connector {n}" for n in ("jira", "github", "slack", "zendesk", "email")}
    assert all(ok for ok, _ in found.values()), found
    assert "with OAuth client 'support-bridge'" in found["connector zendesk"][1]


def test_a_wrong_jira_token_is_named_as_a_credentials_problem(sandbox: Sandbox) -> None:
    ok, detail = rows(sandbox, "not-the-token")["connector jira"]

    assert ok is False
    assert "credentials refused (HTTP 401)" in detail
    assert "not-the-token" not in detail


def test_a_revoked_slack_token_is_named_with_the_setting_to_fix(sandbox: Sandbox) -> None:
    config = configured(sandbox, sandbox.credentials["jira"]["api_token"])
    config["connectors"]["slack"]["bot_token"] = "xoxb-revoked"
    Path("bridge.yaml").write_text(yaml.safe_dump(config))
    found = {c.name: c for c in probe_connectors(load_settings())}

    slack = found["connector slack"]
    assert slack.ok is False
    assert "invalid_auth" in slack.detail and "connectors.slack.bot_token" in slack.detail
    assert "xoxb-revoked" not in slack.detail
