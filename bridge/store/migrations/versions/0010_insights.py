"""insights: SLA clocks keep when they were met or stopped, and the severity, region, level and
customer they started under; indexes for counting audit steps and clocks week by week; each
week's figures kept once the week is over

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _clock_columns() -> tuple[sa.Column[Any], ...]:
    return (
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met_late", sa.Boolean(), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("helpdesk", sa.String(length=32), nullable=True),
        sa.Column("customer", sa.String(length=255), nullable=True),
    )


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    found = dt.datetime.fromisoformat(value)
    return (found if found.tzinfo else found.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _backfill() -> None:
    """Clocks written before this revision: their times from the document, their grouping
    from the escalation and ticket as they stand now (the best record there is)."""
    bind = op.get_bind()
    clocks = sa.table(
        "sla_clocks",
        sa.column("id", sa.String),
        sa.column("escalation_id", sa.Integer),
        sa.column("document", sa.JSON),
        *(sa.column(column.name, column.type) for column in _clock_columns()),
    )
    escalations = sa.table(
        "escalations",
        sa.column("id", sa.Integer),
        sa.column("ticket_id", sa.Integer),
        sa.column("level", sa.Integer),
    )
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer),
        sa.column("severity", sa.Integer),
        sa.column("region", sa.String),
        sa.column("helpdesk", sa.String),
        sa.column("organization", sa.String),
    )
    query = (
        sa.select(
            clocks.c.id,
            clocks.c.document,
            escalations.c.level,
            tickets.c.severity,
            tickets.c.region,
            tickets.c.helpdesk,
            tickets.c.organization,
        )
        .join(escalations, escalations.c.id == clocks.c.escalation_id)
        .join(tickets, tickets.c.id == escalations.c.ticket_id)
    )
    for clock_id, document, level, severity, region, helpdesk, organization in list(
        bind.execute(query)
    ):
        doc = json.loads(document) if isinstance(document, str) else (document or {})
        met_at = _when(doc.get("met_at"))
        bind.execute(
            clocks.update()
            .where(clocks.c.id == clock_id)
            .values(
                started_at=_when(doc.get("started_at")),
                met_at=met_at,
                met_late=bool(doc.get("met_late")) if met_at is not None else None,
                stopped_at=_when(doc.get("stopped_at")),
                severity=severity,
                region=region,
                level=level,
                helpdesk=helpdesk,
                customer=organization,
            )
        )


def upgrade() -> None:
    with op.batch_alter_table("sla_clocks") as batch:
        for column in _clock_columns():
            batch.add_column(column)
        batch.create_index("ix_sla_clocks_due_at", ["due_at"])
        batch.create_index("ix_sla_clocks_met_at", ["met_at"])
    op.create_index("ix_audit_events_step_at", "audit_events", ["step", "at"])
    op.create_index(
        "ix_audit_events_record_step", "audit_events", ["record_type", "record_id", "step", "at"]
    )
    op.create_table(
        "insight_weeks",
        sa.Column("week_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("week_start", name=op.f("pk_insight_weeks")),
    )
    op.create_index(op.f("ix_escalations_created_at"), "escalations", ["created_at"])
    _backfill()


def downgrade() -> None:
    op.drop_index(op.f("ix_escalations_created_at"), table_name="escalations")
    op.drop_table("insight_weeks")
    op.drop_index("ix_audit_events_record_step", table_name="audit_events")
    op.drop_index("ix_audit_events_step_at", table_name="audit_events")
    with op.batch_alter_table("sla_clocks") as batch:
        batch.drop_index("ix_sla_clocks_met_at")
        batch.drop_index("ix_sla_clocks_due_at")
        for column in reversed(_clock_columns()):
            batch.drop_column(column.name)
