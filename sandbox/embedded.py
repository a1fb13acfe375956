"""The embedded default: a bridge with no connector configured runs against this sandbox.

`support-bridge serve` starts the sandbox, points every connector at it, gives each receiver the
secret the sandbox signs with, and registers the bridge's webhook URLs in the sandbox, so the
whole loop can be tried on one machine. With any real connector configured it is never started.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from sandbox.runner import Sandbox
from sandbox.slack.state import TEAM_ID, Channel

SLACK_INTERACTIONS = ("block_actions", "view_submission", "view_closed", "shortcut")
WEBHOOK_VENDORS = ("github", "jira", "zendesk", "freshdesk")


def _channels(routing: Any) -> set[str]:
    names = {routing.default_channel, *(rule.channel for rule in routing.rules)}
    return {name.removeprefix("#") for name in names if name}


def connector_settings(sandbox: Sandbox) -> dict[str, Any]:
    """``connectors:`` for a bridge that talks to this sandbox (plain values, as in bridge.yaml)."""
    credentials = sandbox.credentials
    smtp_host, smtp_port = sandbox.urls["smtp"].rsplit(":", 1)
    return {
        "jira": {
            "url": sandbox.urls["jira"],
            "email": credentials["jira"]["email"],
            "api_token": credentials["jira"]["api_token"],
            "support_project": "SUP",
            "spar_issue_type": "Task",
            "development_project": "DEV",
        },
        "github": {
            "base_url": sandbox.urls["github"],
            "repository": credentials["github"]["repo"],
            # signed in as GitHub recommends: an App installation (JWT, expiring tokens)
            "app_id": credentials["github"]["app_id"],
            "installation_id": credentials["github"]["installation_id"],
            "private_key": credentials["github"]["private_key"],
        },
        "slack": {
            "base_url": sandbox.urls["slack"] + "/api/",
            "bot_token": credentials["slack"]["token"],
            "team_id": TEAM_ID,  # the sandbox's one workspace: the demo is pinned as advised
        },
        "zendesk": {
            "url": sandbox.urls["zendesk"],
            "oauth_client_id": credentials["zendesk"]["oauth_client_id"],
            "oauth_client_secret": credentials["zendesk"]["oauth_client_secret"],
        },
        "freshdesk": {
            "url": sandbox.urls["freshdesk"],
            "api_key": credentials["freshdesk"]["api_key"],
        },
        "email": {
            "host": smtp_host,
            "port": int(smtp_port),
            "security": "none",
            "sender": "support@bridge.sandbox",
        },
    }


def start_for(
    settings: Any, bridge_url: str, *, socket_mode: bool = False
) -> tuple[Sandbox, dict[str, Any]]:
    """Start the sandbox; return it and the settings overrides that wire the bridge to it.
    With ``socket_mode`` Slack reaches the bridge over Socket Mode only: no request URL is
    registered and no signing secret set, so ``/slack/*`` answers 404."""
    from bridge.config.connectors import ConnectorsConfig

    sandbox = Sandbox(background_webhooks=True).start()
    sandbox.jira.world.add_project("DEV", "Development")
    world = sandbox.slack.world
    for number, name in enumerate(sorted(_channels(settings.routing)), start=1):
        if world.channel(name) is None:
            world.channels[f"C0BRIDGE{number:03d}"] = Channel(f"C0BRIDGE{number:03d}", name)
    for vendor in WEBHOOK_VENDORS:
        sandbox.register_webhook(vendor, f"{bridge_url}/webhooks/{vendor}")
    wired = connector_settings(sandbox)
    if socket_mode:
        app_token = sandbox.credentials["slack"]["app_token"]
        wired["slack"] |= {"socket_mode": True, "app_token": app_token}
    else:
        commands, interactions = f"{bridge_url}/slack/commands", f"{bridge_url}/slack/interactions"
        sandbox.register_webhook("slack", commands, events=("slash_command",))
        sandbox.register_webhook("slack", interactions, events=SLACK_INTERACTIONS)
    secrets = sandbox.webhook_secrets
    for vendor in WEBHOOK_VENDORS:
        wired[vendor]["webhook_secret"] = secrets[vendor]
    overrides: dict[str, Any] = {
        "connectors": ConnectorsConfig.model_validate(wired),
        "slack_signing_secret": None if socket_mode else SecretStr(secrets["slack"]),
    }
    return sandbox, overrides


def banner(sandbox: Sandbox) -> str:
    urls = sandbox.urls
    return (
        "No connectors configured: running on the local sandbox "
        f"(Jira {urls['jira']}, GitHub {urls['github']}, Slack {urls['slack']}, "
        f"Zendesk {urls['zendesk']}, Freshdesk {urls['freshdesk']}, SMTP {urls['smtp']}); "
        "configure connectors in bridge.yaml to use your own"
    )
