from __future__ import annotations

import json
import os

import click
import yaml

from bridge.config import ConfigError, Settings, load_settings


@click.group()
def slack() -> None:
    """The Slack app the bridge answers as."""


@click.command("manifest")
@click.option(
    "--public-url",
    help="Where Slack reaches the bridge [default: BRIDGE_PUBLIC_URL].",
)
@click.option("--name", default="Support Bridge", show_default=True, help="The app's name.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of YAML.")
@click.option(
    "--socket-mode/--no-socket-mode",
    default=None,
    help="Slack reaches the bridge over Socket Mode: no request URLs "
    "[default: connectors.slack.socket_mode].",
)
def manifest(public_url: str | None, name: str, as_json: bool, socket_mode: bool | None) -> None:
    """Print the app manifest to paste at api.slack.com/apps → Create New App → From a
    manifest (docs/slack.md walks through it)."""
    from webhooks.slack.manifest import manifest as build
    from webhooks.slack.manifest import problems_with

    if socket_mode is None:
        socket_mode = _socket_mode()
    url = public_url or _public_url()
    for problem in [] if socket_mode else problems_with(url):
        click.echo(f"support-bridge: {url}: {problem}; set BRIDGE_PUBLIC_URL", err=True)
    document = build(url, name, socket_mode=socket_mode)
    if as_json:
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(yaml.safe_dump(document, sort_keys=False), nl=False)


def _public_url() -> str:
    """BRIDGE_PUBLIC_URL. The manifest comes before the app's bot token exists, so a
    configuration still waiting for it (or wrong elsewhere) does not stop it."""
    try:
        return load_settings().public_url
    except ConfigError:
        default = Settings.model_fields["public_url"].default
        return os.environ.get("BRIDGE_PUBLIC_URL") or str(default)


def _socket_mode() -> bool:
    """connectors.slack.socket_mode, also from a configuration still waiting for a token."""
    try:
        slack = load_settings().connectors.slack
    except ConfigError:
        raw = os.environ.get("BRIDGE_CONNECTORS__SLACK__SOCKET_MODE", "")
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return slack is not None and slack.socket_mode


slack.add_command(manifest)
