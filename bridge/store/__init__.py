"""Storage: SQLAlchemy tables, the inbox and outbox, and Alembic migrations."""
