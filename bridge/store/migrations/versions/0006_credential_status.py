"""credential status: each connector's credential expiry and last renewal, for doctor, /metrics
and the board

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credential_status",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("renewable", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends", sa.String(length=64), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("last_refresh_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_refresh_error", sa.Text(), nullable=True),
        sa.Column("refresh_failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("connector", "kind", name=op.f("pk_credential_status")),
    )


def downgrade() -> None:
    op.drop_table("credential_status")
