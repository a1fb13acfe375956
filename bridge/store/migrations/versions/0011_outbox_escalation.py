"""outbox.escalation_id and outbox.channel: the escalation a side effect belongs to and the
channel it goes to, as indexed columns, so the board finds the channel of each escalation's
head message without reading every payload; and
the SLA clocks indexed by escalation, state and due time, which orders the board's list

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Rows written before this revision: the payload's escalation_id when it is a record id, and
# its channel when it is a text.
BACKFILL = {
    "sqlite": """
        UPDATE outbox SET escalation_id = CAST(json_extract(payload, '$.escalation_id') AS INTEGER)
        WHERE json_type(payload, '$.escalation_id') = 'text'
          AND json_extract(payload, '$.escalation_id') GLOB '[1-9]*'
          AND json_extract(payload, '$.escalation_id') NOT GLOB '*[^0-9]*'
          AND length(json_extract(payload, '$.escalation_id')) <= 10
          AND CAST(json_extract(payload, '$.escalation_id') AS INTEGER) <= 2147483647;
        UPDATE outbox SET channel = substr(json_extract(payload, '$.channel'), 1, 255)
        WHERE json_type(payload, '$.channel') = 'text' AND json_extract(payload, '$.channel') != ''
    """,
    "postgresql": """
        UPDATE outbox SET escalation_id = CAST(payload ->> 'escalation_id' AS INTEGER)
        WHERE CASE WHEN payload ->> 'escalation_id' ~ '^[1-9][0-9]{0,9}$'
                   THEN CAST(payload ->> 'escalation_id' AS BIGINT) <= 2147483647
                   ELSE false END;
        UPDATE outbox SET channel = left(payload ->> 'channel', 255)
        WHERE json_typeof(payload -> 'channel') = 'string' AND payload ->> 'channel' != ''
    """,
}


def upgrade() -> None:
    op.add_column("outbox", sa.Column("escalation_id", sa.Integer(), nullable=True))
    op.add_column("outbox", sa.Column("channel", sa.String(length=255), nullable=True))
    for statement in BACKFILL[op.get_bind().dialect.name].split(";"):
        op.execute(statement)
    op.create_index(
        "ix_outbox_escalation_operation",
        "outbox",
        ["escalation_id", "operation", "id", "channel"],
        unique=False,
    )
    op.create_index(
        "ix_sla_clocks_escalation_state_due",
        "sla_clocks",
        ["escalation_id", "state", "due_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_sla_clocks_escalation_state_due", table_name="sla_clocks")
    op.drop_index("ix_outbox_escalation_operation", table_name="outbox")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("channel")
        batch_op.drop_column("escalation_id")
