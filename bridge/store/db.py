"""Engines and sessions for both embedded (SQLite) and distributed (PostgreSQL) modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5_000


class DatabaseMissing(Exception):
    """The embedded database file does not exist yet (``support-bridge db upgrade`` creates it)."""


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database.removeprefix("file:"))


def make_engine(url: str, *, create: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``. For SQLite the file is never created unless ``create`` is set,
    so a mistyped path cannot leave an empty database that later looks valid."""
    parsed = make_url(url)
    path = sqlite_path(parsed)
    if path is None:
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    if not create and not path.exists():
        msg = f"database file {path} does not exist (run `support-bridge db upgrade`)"
        raise DatabaseMissing(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **kwargs,
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and skips it for DDL; take it over so
    # migrations are transactional and a write waits on the busy timeout instead of failing.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def redact(url: str) -> str:
    """The URL as it may be shown: never the password."""
    return make_url(url).render_as_string(hide_password=True)
