from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from bridge.config import ConfigError, Settings, load_settings
from bridge.observability.logs import configure_logging
from bridge.runtime import Runtime, bootstrap
from bridge.store.db import DatabaseMissing, sqlite_path

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


def writable_dirs_or_exit(settings: Settings, *, data_dir: bool = True) -> None:
    """The data directory (job queue, generated secret key, default SQLite file) and the SQLite
    file's directory exist or can be created, and can be written; else one line naming the
    variable to change."""
    places: list[tuple[str, Path]] = (
        [("BRIDGE_DATA_DIR", Path(settings.data_dir))] if data_dir else []
    )
    database = sqlite_path(settings.resolved_database_url)
    if database is not None:
        variable = "BRIDGE_DATABASE_URL" if settings.database_url else "BRIDGE_DATA_DIR"
        places.append((variable, database.parent))
    for variable, directory in places:
        problem = _unwritable(directory)
        if problem:
            fail(
                f"{variable}: cannot use the directory {directory}: {problem}; "
                f"point {variable} at a directory this user can write"
            )


def _unwritable(directory: Path) -> str | None:
    if directory.exists() and not directory.is_dir():
        return "it is a file, not a directory"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return exc.strerror or str(exc)
    if not os.access(directory, os.W_OK | os.X_OK):
        return "not writable"
    return None


def until_interrupted(running: str, stopped: str) -> None:
    """Say ``running``, wait for Ctrl-C, then say ``stopped``."""
    click.echo(running)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo(stopped)
