from __future__ import annotations

import sys
from typing import NoReturn

import click

from bridge.config import ConfigError, Settings, load_settings
from bridge.observability.logs import configure_logging
from bridge.runtime import Runtime, bootstrap
from bridge.store.db import DatabaseMissing

EXIT_CONFIG = 2


def fail(lines: list[str] | str, code: int = EXIT_CONFIG) -> NoReturn:
    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(f"support-bridge: {line}", err=True)
    sys.exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        fail([str(problem) for problem in exc.problems])


def runtime_or_exit(settings: Settings) -> Runtime:
    configure_logging(settings.log_level, settings.log_format)
    try:
        return bootstrap(settings)
    except DatabaseMissing as exc:
        fail(f"BRIDGE_DATABASE_URL: {exc}")
    except ConfigError as exc:
        fail([str(problem) for problem in exc.problems])
