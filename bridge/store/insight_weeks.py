"""Weeks whose insights were counted once they were over, kept as one JSON document each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.store import tables
from bridge.store.upsert import insert_if_absent


def kept_weeks(session: Session, starts: Collection[dt.datetime]) -> dict[dt.datetime, Any]:
    """``{week start: figures}`` of the weeks among ``starts`` already kept."""
    if not starts:
        return {}
    row = tables.InsightWeek
    query = select(row.week_start, row.figures).where(row.week_start.in_(list(starts)))
    return {start: figures for start, figures in session.execute(query)}


def keep_week(session: Session, start: dt.datetime, figures: Any, now: dt.datetime) -> None:
    """Keep a week's figures; a week another process kept first stays as it was kept."""
    values = {"week_start": start, "computed_at": now, "figures": figures}
    insert_if_absent(session, tables.InsightWeek, values, ["week_start"])
