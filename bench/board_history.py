"""The SLA clocks and audit trail of one copied escalation, for ``bench/board_rows.py``: clocks
running, paused, met (some late) or breached as the escalation's state has them, and the steps
that brought it there."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from bridge.store import tables

if TYPE_CHECKING:
    from bench.board_rows import Rows

SUPPORT = ("U0ALICE001", "U0BOBBY002", "U0CAROL003", "U0DAVID004")


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at else None


def _clock(
    template: dict[str, Any],
    escalation_id: int,
    kind: str,
    state: str,
    due: dt.datetime,
    started: dt.datetime,
    met_at: dt.datetime | None = None,
    facts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    document = dict(template)
    at_risk = due - dt.timedelta(hours=1) if state == "running" else None
    document.update(
        id=f"{escalation_id}:{kind}",
        subject_id=str(escalation_id),
        state=state,
        started_at=_iso(started),
        running_since=_iso(started) if state == "running" else None,
        due_at=_iso(due),
        at_risk_at=_iso(at_risk),
        met_at=_iso(met_at),
        met_late=bool(met_at and met_at > due),
        stopped_at=_iso(met_at) if state == "stopped" else None,
    )
    document["target"] = {**document["target"], "kind": kind}
    return {
        "id": document["id"],
        "escalation_id": escalation_id,
        "kind": kind,
        "state": state,
        "due_at": due,
        "at_risk_at": at_risk,
        "document": document,
        # What insights count from (migration 0010): when it was met or stopped, and the
        # severity, region, level and customer it started under.
        "started_at": started,
        "met_at": met_at if state == "met" else None,
        "met_late": bool(met_at and met_at > due) if state == "met" else None,
        "stopped_at": met_at if state == "stopped" else None,
        **(facts or {}),
    }


def clock_rows(
    rows: Rows,
    rng: random.Random,
    now: dt.datetime,
    template: dict[str, Any],
    escalation_id: int,
    state: str,
    opened: dt.datetime,
    updated: dt.datetime,
    facts: dict[str, Any],
) -> None:
    acknowledge_due = opened + dt.timedelta(hours=4)
    if state == "closed":
        met = opened + dt.timedelta(hours=rng.uniform(0.5, 6))
        rows.add(
            tables.SlaClock,
            _clock(
                template, escalation_id, "acknowledge", "met", acknowledge_due, opened, met, facts
            ),
        )
        rows.add(
            tables.SlaClock,
            _clock(
                template,
                escalation_id,
                "reply",
                "stopped",
                updated + dt.timedelta(days=1),
                opened,
                updated,
                facts,
            ),
        )
        return
    if state in ("requested", "triaged"):
        rows.add(
            tables.SlaClock,
            _clock(
                template,
                escalation_id,
                "acknowledge",
                "running",
                acknowledge_due,
                opened,
                None,
                facts,
            ),
        )
    else:
        met = opened + dt.timedelta(hours=rng.uniform(0.2, 5))  # some met late
        rows.add(
            tables.SlaClock,
            _clock(
                template, escalation_id, "acknowledge", "met", acknowledge_due, opened, met, facts
            ),
        )
    # about one in six replies is overdue (a breach), the others due within the coming days
    reply_due = now + dt.timedelta(hours=rng.uniform(-30, 60))
    reply_state = "paused" if state == "awaiting_customer" else "running"
    rows.add(
        tables.SlaClock,
        _clock(template, escalation_id, "reply", reply_state, reply_due, updated, None, facts),
    )


def history_rows(
    rows: Rows,
    rng: random.Random,
    escalation_id: int,
    state: str,
    engineer: str | None,
    opened: dt.datetime,
    updated: dt.datetime,
) -> None:
    actor = rng.choice(SUPPORT)
    steps = [("open", "", "requested", "entry point api"), ("triage", "requested", "triaged", "")]
    if engineer:
        steps.append(("activate", "triaged", "active", engineer))
        steps += [
            ("status_update", "active", "active", "Still looking at the sync job")
        ] * rng.randint(0, 3)
        if state not in ("active", "triaged", "requested"):
            steps.append((state, "active", state, ""))
        if state == "closed":  # the customer took the fix, most the first time
            answers = (
                ["customer_accepts"]
                if rng.random() < 0.85
                else [
                    "customer_rejects",
                    "customer_accepts",
                ]
            )
            steps[-1:-1] = [(answer, "awaiting_customer", "monitoring", "") for answer in answers]
            steps[-1] = ("close", "monitoring", "closed", "")
    if engineer:
        steps.insert(2, ("acknowledge", "triaged", "triaged", ""))
    span = (updated - opened) / len(steps)
    for n, (step, before, after, note) in enumerate(steps):
        rows.add(
            tables.AuditEvent,
            {
                "record_type": "escalation",
                "record_id": str(escalation_id),
                "step": step,
                "from_state": before,
                "to_state": after,
                "actor": engineer if n > 2 else actor,
                "cause": "slack",
                "note": note,
                "at": opened + span * n if n else opened,
            },
        )
