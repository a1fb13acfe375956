"""AR vendor ids: each SPAR/AR record and each escalation's link to an AR keep the tracker's
immutable id of the issue (Jira's issue id, GitHub's issue id) beside its key, which changes
when the issue moves to another project or repository

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action_requests") as batch:
        batch.add_column(sa.Column("vendor_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("action_request_links") as batch:
        batch.add_column(sa.Column("vendor_id", sa.String(length=64), nullable=True))
    # Every issue event is matched by id first: both lookups are by index.
    op.create_index(
        "ix_action_request_links_vendor_id", "action_request_links", ["system", "vendor_id"]
    )
    op.create_index("ix_action_requests_vendor_id", "action_requests", ["system", "vendor_id"])


def downgrade() -> None:
    op.drop_index("ix_action_requests_vendor_id", table_name="action_requests")
    op.drop_index("ix_action_request_links_vendor_id", table_name="action_request_links")
    with op.batch_alter_table("action_request_links") as batch:
        batch.drop_column("vendor_id")
    with op.batch_alter_table("action_requests") as batch:
        batch.drop_column("vendor_id")
