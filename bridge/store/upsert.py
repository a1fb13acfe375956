"""INSERT ... ON CONFLICT DO NOTHING on both engines: the database decides who was first, so
processes racing on the same key leave exactly one row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert_ignoring(
    session: Session, table: Any, values: dict[str, Any], conflict: list[str]
) -> Any:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)


def insert_ignoring(dialect: str, table: Any, conflict_columns: list[str]) -> Any:
    """A reusable statement for a whole row given as execute() parameters; RETURNING the new
    id, or nothing when the row existed."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table).on_conflict_do_nothing(index_elements=conflict_columns).returning(table.c.id)
    )


def insert_ignoring_conflict(
    session: Session, table: Any, values: dict[str, Any], conflict_columns: list[str]
) -> int | None:
    """The new row's id, or None if a row with the same key existed."""
    statement = _insert_ignoring(session, table, values, conflict_columns).returning(table.id)
    return session.execute(statement).scalar_one_or_none()


def insert_if_absent(
    session: Session, table: Any, values: dict[str, Any], conflict_columns: list[str]
) -> bool:
    """True if this call inserted the row."""
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT through SQLAlchemy.
    key = getattr(table, conflict_columns[0])
    statement = _insert_ignoring(session, table, values, conflict_columns).returning(key)
    return session.execute(statement).first() is not None
