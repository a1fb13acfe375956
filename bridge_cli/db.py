from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from bridge.observability.logs import configure_logging
from bridge.store import migrate
from bridge.store.db import DatabaseMissing, make_engine, redact
from bridge_cli.common import fail, settings_or_exit, writable_dirs_or_exit


def _reason(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__


@click.group()
def db() -> None:
    """Create and migrate the database (SQLite by default, PostgreSQL with BRIDGE_DATABASE_URL)."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Alembic revision to reach.")
def upgrade(revision: str) -> None:
    """Create the database if needed and apply every migration up to REVISION."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, settings.log_format)
    writable_dirs_or_exit(settings, data_dir=False)
    url = settings.resolved_database_url
    try:
        reached = migrate.upgrade(url, revision)
    except SQLAlchemyError as exc:
        fail(f"BRIDGE_DATABASE_URL: cannot migrate {redact(url)}: {_reason(exc)}")
    click.echo(f"database {redact(url)} is at revision {reached}")


@db.command()
@click.option("--revision", default="-1", show_default=True, help="Alembic revision to go to.")
def downgrade(revision: str) -> None:
    """Undo migrations, one step by default."""
    settings = settings_or_exit()
    configure_logging(settings.log_level, settings.log_format)
    url = settings.resolved_database_url
    try:
        reached = migrate.downgrade(url, revision)
    except (SQLAlchemyError, DatabaseMissing) as exc:
        fail(f"BRIDGE_DATABASE_URL: cannot migrate {redact(url)}: {exc}")
    click.echo(f"database {redact(url)} is at revision {reached or 'base (empty)'}")


@db.command()
def current() -> None:
    """Print the revision the database is at and the one this code needs."""
    settings = settings_or_exit()
    url = settings.resolved_database_url
    try:
        engine = make_engine(url)
        try:
            at = migrate.current_revision(engine)
        finally:
            engine.dispose()
    except DatabaseMissing as exc:
        fail(f"BRIDGE_DATABASE_URL: {exc}")
    except SQLAlchemyError as exc:
        fail(f"BRIDGE_DATABASE_URL: cannot reach {redact(url)}: {_reason(exc)}")
    head = migrate.head_revision()
    state = "up to date" if at == head else "needs `support-bridge db upgrade`"
    click.echo(f"database at {at or 'base (empty)'}, code needs {head}: {state}")
