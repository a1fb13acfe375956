"""Schema migrations (Alembic), run the same way on SQLite and PostgreSQL.

A new embedded database is built in a temporary file beside the target and renamed into place
only when every migration succeeded, so a failed first upgrade leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from bridge.store.db import make_engine, sqlite_path

SCRIPT_LOCATION = str(Path(__file__).with_name("migrations"))


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(engine: Engine, action: str, revision: str) -> None:
    config = _config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
        connection.commit()


def upgrade(url: str, revision: str = "head") -> str | None:
    """Upgrade the database at ``url``; return the revision it is at afterwards."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return _build_new_sqlite(url, path, revision)
    engine = make_engine(url)
    try:
        _run(engine, "upgrade", revision)
        return current_revision(engine)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str = "-1") -> str | None:
    engine = make_engine(url)
    try:
        _run(engine, "downgrade", revision)
        return current_revision(engine)
    finally:
        engine.dispose()


def _build_new_sqlite(url: str, path: Path, revision: str) -> str | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    partial_url = url.replace(path.as_posix(), partial.as_posix())
    engine = make_engine(partial_url, create=True)
    try:
        _run(engine, "upgrade", revision)
        reached = current_revision(engine)
        raw = engine.raw_connection()  # outside a transaction: a checkpoint cannot run in one
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        engine.dispose()
        os.replace(partial, path)
        return reached
    finally:
        engine.dispose()
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
