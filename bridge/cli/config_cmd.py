from __future__ import annotations

import click
import yaml

from bridge.cli.common import settings_or_exit
from bridge.config.loader import DEFAULT_CONFIG_FILE


@click.group()
def config() -> None:
    """Check or show the configuration."""


@config.command()
def check() -> None:
    """Validate BRIDGE_* variables and the YAML file; print each problem with its key path."""
    settings = settings_or_exit()
    source = settings.config or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None)
    connectors = settings.connectors.configured()
    click.echo(
        f"configuration OK (file: {source or 'none, embedded defaults'}; "
        f"connectors: {', '.join(connectors) or 'none'})"
    )


@config.command()
def show() -> None:
    """Print the effective configuration as YAML, secrets masked."""
    settings = settings_or_exit()
    document = settings.model_dump(mode="json")
    click.echo(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
