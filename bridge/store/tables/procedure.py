"""The procedure's records: tickets as mirrored, escalations, SPARs and ARs, action plans, the
audit trail, SLA clocks and the escalation requests waiting for support's triage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.store.tables.columns import Base, UtcDateTime


class Ticket(Base):
    """The helpdesk's ticket, mirrored; ``document`` holds the domain record."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("helpdesk", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    helpdesk: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128), index=True)
    requester_email: Mapped[str | None] = mapped_column(String(320))
    organization: Mapped[str | None] = mapped_column(String(255))
    severity: Mapped[int] = mapped_column(Integer, default=3)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    region: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="open")
    ticket_type: Mapped[str | None] = mapped_column(String(32))
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_event_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Escalation(Base):
    """Query columns beside the domain aggregate in ``document``; ``policy`` is the snapshot of
    SLA targets, calendar and level owners taken when the escalation started."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    classification: Mapped[str | None] = mapped_column(String(32))
    engineer: Mapped[str | None] = mapped_column(String(255))
    next_update_due: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": version}


class Spar(Base):
    __tablename__ = "spars"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    state: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ActionRequest(Base):
    """A record in an external system (Jira issue, GitHub issue) linked to ours."""

    __tablename__ = "action_requests"
    __table_args__ = (
        UniqueConstraint("system", "external_key"),
        Index("ix_action_requests_vendor_id", "system", "vendor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    spar_id: Mapped[int | None] = mapped_column(ForeignKey("spars.id"), index=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    system: Mapped[str] = mapped_column(String(32))
    external_key: Mapped[str] = mapped_column(String(128))
    # The tracker's immutable id of the issue: its key changes when it moves project or repo.
    vendor_id: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(1000))
    state: Mapped[str] = mapped_column(String(32), default="open")
    last_synced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sync_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ActionPlan(Base):
    __tablename__ = "action_plans"
    __table_args__ = (UniqueConstraint("escalation_id", "plan_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    plan_ref: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    delivery_date: Mapped[dt.date | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="proposed")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        # Insights count steps (acknowledge, close, customer_accepts, …) week by week, and ask
        # whether a record took a step before.
        Index("ix_audit_events_step_at", "step", "at"),
        Index("ix_audit_events_type_step_at", "record_type", "step", "at", "record_id"),
        Index("ix_audit_events_record_step", "record_type", "record_id", "step", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(255))
    cause: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SlaClock(Base):
    """One SLA target running for one escalation; ``document`` is the domain clock.

    ``met_at``, ``met_late`` and ``stopped_at`` repeat the document's, and severity, region,
    level and customer are the escalation's when the clock started: what insights group by,
    fixed once written, so a past week's figures never change."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        Index("ix_sla_clocks_state_due", "state", "due_at"),
        Index("ix_sla_clocks_due_at", "due_at"),
        Index("ix_sla_clocks_met_at", "met_at"),
        Index("ix_sla_clocks_state_met_at", "state", "met_at"),
        # The board orders the open escalations by their running clocks' earliest due time:
        # this index alone answers it for each escalation.
        Index("ix_sla_clocks_escalation_state_due", "escalation_id", "state", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    at_risk_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    met_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    met_late: Mapped[bool | None] = mapped_column(Boolean)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    severity: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[int | None] = mapped_column(Integer)
    helpdesk: Mapped[str | None] = mapped_column(String(32))
    customer: Mapped[str | None] = mapped_column(String(255))


class PendingEscalationRequest(Base):
    """A customer's ask to escalate that the bridge cannot open alone (an e-mail carries no
    triage answers): pending until support triages the ticket and an escalation opens for it.
    ``key`` names the customer's message, so a resent delivery adds no second request."""

    __tablename__ = "pending_escalation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    words: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(320))
    cause: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    settled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
