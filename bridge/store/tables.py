"""The bridge's tables. The domain never sees these classes; repositories translate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime given to the store; pass an aware UTC datetime"
            raise ValueError(msg)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


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


class InboxRow(Base):
    """One inbound delivery, committed before the sender gets its 2xx."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("source", "delivery_id"),
        Index("ix_inbox_status_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(128))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    record_key: Mapped[str | None] = mapped_column(String(255), index=True)
    provider_ts: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    """One side effect to perform exactly once, keyed by its idempotency key."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        # Answers "which channel did each escalation's latest head message go to" from the
        # index alone, read backwards from its last entry for the escalation.
        Index("ix_outbox_escalation_operation", "escalation_id", "operation", "id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    target: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    # The payload's escalation and channel, as columns: the board finds the channel each
    # escalation's head message went to through an index rather than reading every payload.
    escalation_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class JobGuard(Base):
    """A token that lets exactly one worker act on one due event (an SLA breach, a digest)."""

    __tablename__ = "job_guards"

    token: Mapped[str] = mapped_column(String(255), primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ActionRequestLink(Base):
    """An escalation waiting on an AR. One AR may serve many tickets (and so many escalations):
    the escalation that filed it, and every other one found to be the same problem."""

    __tablename__ = "action_request_links"
    __table_args__ = (
        UniqueConstraint("system", "external_key", "escalation_id"),
        Index("ix_action_request_links_vendor_id", "system", "vendor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(32))
    external_key: Mapped[str] = mapped_column(String(128), index=True)
    vendor_id: Mapped[str | None] = mapped_column(String(64))
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    fix_version: Mapped[str | None] = mapped_column(String(128), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ResolutionAnswer(Base):
    """The customer's answer to a resolution notice, and the reminders sent while none came."""

    __tablename__ = "resolution_answers"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    release_ref: Mapped[str] = mapped_column(String(255))
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_by: Mapped[str | None] = mapped_column(String(320))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class BoardSession(Base):
    """A browser logged in to the board. Its cookie holds a key whose hash is kept here; logging
    out deletes the row, so a copy of the cookie opens nothing afterwards."""

    __tablename__ = "board_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


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


class CredentialState(Base):
    """A connector's credential as its connectors last renewed it, shared by every process."""

    __tablename__ = "credential_status"

    connector: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    renewable: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ends: Mapped[str] = mapped_column(String(64))
    fix: Mapped[str] = mapped_column(Text)
    last_refresh_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_refresh_error: Mapped[str | None] = mapped_column(Text)
    refresh_failures: Mapped[int] = mapped_column(Integer, default=0)


class KnownName(Base):
    """The name people know a vendor id by (a Slack user's display name, a helpdesk
    organisation's name), looked up once so the board never shows the bare id."""

    __tablename__ = "known_names"
    __table_args__ = (UniqueConstraint("system", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    learnt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CatchUpWatermark(Base):
    """How far catch-up has compared a vendor source (``github`` + a repository, ``jira`` + a
    project) with what the bridge knows."""

    __tablename__ = "catch_up_watermarks"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_until: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    checked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class InsightWeek(Base):
    """A week's insights, counted once the week is over: its figures never change after that,
    so the page reads them here instead of counting the week again."""

    __tablename__ = "insight_weeks"

    week_start: Mapped[dt.datetime] = mapped_column(UtcDateTime, primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
