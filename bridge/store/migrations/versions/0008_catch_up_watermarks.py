"""catch-up watermarks: per vendor source, how far the bridge has compared what it knows with
the vendor, so events sent while it was down are found

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catch_up_watermarks",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("seen_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source", "scope", name=op.f("pk_catch_up_watermarks")),
    )


def downgrade() -> None:
    op.drop_table("catch_up_watermarks")
