"""indexes for the running week of insights: SLA clocks by state and when they were met, and
audit events by record type, step and time, so a week's verdicts and step counts read that
week's rows instead of every met clock and every escalation event

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sla_clocks_state_met_at", "sla_clocks", ["state", "met_at"])
    op.create_index(
        "ix_audit_events_type_step_at", "audit_events", ["record_type", "step", "at", "record_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_type_step_at", table_name="audit_events")
    op.drop_index("ix_sla_clocks_state_met_at", table_name="sla_clocks")
