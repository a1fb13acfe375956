from __future__ import annotations

import re
import sys
from typing import Any

import click
import yaml

from bridge.config import Settings
from bridge.config.errors import ConfigError
from bridge.config.loader import DEFAULT_CONFIG_FILE
from bridge.config.readiness import gaps
from bridge.connectors.probe import slack_routing
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context, budgets_for, build_connectors, webhook_purposes
from bridge.observability.logs import configure_logging
from bridge.store.db import redact
from bridge_cli.common import fail, settings_or_exit

# Exit 1: the file is valid but the bridge cannot work with it: a set-up gap (a connector no
# webhook can reach, a severity without clocks) or a routed Slack channel the bot cannot post
# to. Exit 2: the configuration is invalid.
EXIT_ROUTING = 1


@click.group()
def config() -> None:
    """Check or show the configuration."""


@config.command()
@click.option("--offline", is_flag=True, help="Do not look the routed channels up in Slack.")
def check(offline: bool) -> None:
    """Validate BRIDGE_* variables and the YAML file; print each problem with its key path,
    and which credentials each connector whose settings say so (``auth_summary()``) signs in
    with: Zendesk's API tokens are deprecated.

    A valid configuration the bridge still cannot work with (a connector configured without
    the secret its webhooks sign with, a blank secret variable, a severity left out of
    sla.severities) is named with the key, what goes wrong and the fix (exit 1).

    With a Slack connector configured, each channel routing names is then looked up in Slack
    (conversations.list): one that does not exist, is archived or lacks the bot is named with
    its key and the fix (exit 1). When Slack cannot be asked, the check says so and passes.
    """
    settings = settings_or_exit()
    built_or_exit(settings)
    source = settings.config or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None)
    connectors = settings.connectors.configured()
    unready = gaps(settings, webhook_purposes())
    click.echo(
        f"configuration {'valid, with set-up problems' if unready else 'OK'} "
        f"(file: {source or 'none, embedded defaults'}; "
        f"connectors: {', '.join(connectors) or 'none'})"
    )
    for name in connectors:
        auth_summary = getattr(settings.connectors.section(name), "auth_summary", None)
        if callable(auth_summary):
            click.echo(f"{name} signs in with {auth_summary()}")
    for gap in unready:
        click.echo(f"set-up problem: {gap}")
    if offline:
        click.echo("slack routing not checked: --offline")
        sys.exit(EXIT_ROUTING if unready else 0)
    configure_logging("error", settings.log_format)
    checked = slack_routing(settings)
    if isinstance(checked, str):
        click.echo(f"slack routing not checked: {checked}")
        sys.exit(EXIT_ROUTING if unready else 0)
    for row in checked:
        if row.ok:
            click.echo(f"slack routing OK: {row.detail}")
        else:
            click.echo(f"slack routing problem: {row.detail}; fix: {row.hint}")
    if unready or not all(row.ok for row in checked):
        sys.exit(EXIT_ROUTING)


def built_or_exit(settings: Settings) -> None:
    """Each configured connector built from its section, as ``serve`` will (no request made):
    a section only its own package checks is refused here, not first at start-up."""
    gate = RateGate.from_url(None, rates=budgets_for(settings))
    try:
        build_connectors(settings, Context(gate=gate))
    except ConfigError as exc:
        fail([str(problem) for problem in exc.problems])


# A section of a connector without a settings_model is kept as written (its own package
# validates it), so whatever its keys call a secret is masked here, as pydantic masks the
# SecretStr of a section validated by its model (whose other keys, token_expires, show).
SECRET_KEY_NAMES = re.compile(r"secret|token|password|private_key|api_key|credential", re.I)
MASK = "**********"


def masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _masked_item(str(key), item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def _masked_item(key: str, item: Any) -> Any:
    if SECRET_KEY_NAMES.search(key) and item not in (None, ""):
        return MASK
    return masked(item)


@config.command()
def show() -> None:
    """Print the effective configuration as YAML, secrets masked."""
    settings = settings_or_exit()
    document = settings.model_dump(mode="json")
    sections = document.get("connectors") or {}
    for name, section in sections.items():
        if isinstance(settings.connectors.section(name), dict):
            sections[name] = masked(section)
    if settings.database_url:
        document["database_url"] = redact(settings.database_url)
    click.echo(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
