"""INSERT ... ON CONFLICT DO NOTHING on both engines: the database decides who was first, so
processes racing on the same key leave exactly one row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring(dialect: str, table: Any, conflict_columns: list[str]) -> Any:
    """The statement for ``dialect``; give the row as values() or as execute() parameters (a
    prepared statement on a hot path), and add RETURNING to learn whether it was inserted —
    not rowcount, which psycopg reports as -1 for this statement."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=conflict_columns)


def _for_session(
    session: Session, table: Any, values: dict[str, Any], conflict_columns: list[str]
) -> Any:
    dialect = session.get_bind().dialect.name
    return insert_ignoring(dialect, table, conflict_columns).values(**values)


def insert_ignoring_conflict(
    session: Session, table: Any, values: dict[str, Any], conflict_columns: list[str]
) -> int | None:
    """The new row's id, or None if a row with the same key existed."""
    statement = _for_session(session, table, values, conflict_columns).returning(table.id)
    return session.execute(statement).scalar_one_or_none()


def insert_if_absent(
    session: Session, table: Any, values: dict[str, Any], conflict_columns: list[str]
) -> bool:
    """True if this call inserted the row."""
    key = getattr(table, conflict_columns[0])
    statement = _for_session(session, table, values, conflict_columns).returning(key)
    return session.execute(statement).first() is not None
