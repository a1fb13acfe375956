"""Alembic environment. The bridge passes an open connection in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from bridge.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # SQLite DDL is transactional once pysqlite's implicit transactions are off (see store.db).
    transactional_ddl=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
