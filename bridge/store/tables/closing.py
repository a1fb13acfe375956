"""Closing the loop: the resolution notices sent to customers, their answers, and the links from
escalations to the ARs they wait on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.store.tables.columns import Base, UtcDateTime


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
