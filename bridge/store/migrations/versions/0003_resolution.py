"""resolution: escalations waiting on an AR, and customers' answers to resolution notices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_request_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("external_key", sa.String(length=128), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("fix_version", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_action_request_links_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_request_links")),
        sa.UniqueConstraint(
            "system",
            "external_key",
            "escalation_id",
            name=op.f("uq_action_request_links_system"),
        ),
    )
    for column in ("external_key", "escalation_id", "fix_version"):
        op.create_index(op.f(f"ix_action_request_links_{column}"), "action_request_links", [column])
    op.create_table(
        "resolution_answers",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("release_ref", sa.String(length=255), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_by", sa.String(length=320), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
            name=op.f("fk_resolution_answers_notice_id_notices"),
        ),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_resolution_answers")),
    )


def downgrade() -> None:
    op.drop_table("resolution_answers")
    for column in ("fix_version", "escalation_id", "external_key"):
        op.drop_index(op.f(f"ix_action_request_links_{column}"), "action_request_links")
    op.drop_table("action_request_links")
