"""What the people running the bridge see: board sessions, credential states, the names looked
up for ids, and the weekly insight counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.store.tables.columns import Base, UtcDateTime


class BoardSession(Base):
    """A browser logged in to the board. Its cookie holds a key whose hash is kept here; logging
    out deletes the row, so a copy of the cookie opens nothing afterwards."""

    __tablename__ = "board_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


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


class InsightWeek(Base):
    """A week's insights, counted once the week is over: its figures never change after that,
    so the page reads them here instead of counting the week again."""

    __tablename__ = "insight_weeks"

    week_start: Mapped[dt.datetime] = mapped_column(UtcDateTime, primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
