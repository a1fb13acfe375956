"""What the board says in JSON (``Accept: application/json``) and in the words of its banner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from bridge.store import board as queries
from webhooks.board_shown import Shown

REPLAY = "support-bridge replay --dead"
# What one side effect of each operation is, in the banner's words (singular, plural).
OPERATIONS = {
    "upsert_escalation_message": ("escalation message", "escalation messages"),
    "thread_reply": ("thread reply", "thread replies"),
    "direct_message": ("direct message", "direct messages"),
    "channel_post": ("channel post", "channel posts"),
    "create_record": ("SPAR or AR", "SPARs and ARs"),
    "comment": ("comment", "comments"),
    "upsert_waiting_list": ("waiting list", "waiting lists"),
    "send": ("message", "messages"),
}


def json_dead(dead: queries.DeadLetters, titles: Mapping[str, str]) -> dict[str, Any]:
    groups = [{**asdict(group), "summary": gave_up(group, titles)} for group in dead.groups]
    return {"total": dead.total, "groups": groups, "replay": REPLAY if dead.total else None}


def json_row(
    row: queries.BoardRow, shown: Shown, now: dt.datetime, dead: queries.DeadLetters
) -> dict[str, Any]:
    return {
        "id": row.id,
        "ticket": {
            "helpdesk": row.helpdesk,
            "id": row.ticket,
            "url": shown.ticket_url,
            "subject": row.subject,
            "requester": shown.requester,
        },
        "customer": shown.customer,
        "severity": row.severity,
        "classification": shown.classification,
        "level": row.level,
        "state": row.state,
        "engineer": shown.engineer,
        "next": {"what": shown.next.what, "whom": shown.next.whom} if shown.next else None,
        "team": row.channel,
        "team_name": shown.team,
        "next_due": (
            {
                "kind": row.next_due.kind,
                "at": row.next_due.at.isoformat(),
                "overdue": row.next_due.at <= now,
            }
            if row.next_due
            else None
        ),
        "records": [
            {"kind": r.kind, "system": r.system, "key": r.key, "url": r.url} for r in shown.records
        ],
        "last_update": row.last_update.isoformat() if row.last_update else None,
        "gave_up": dead.by_escalation.get(row.id, 0),
    }


def gave_up(group: queries.GaveUp, titles: Mapping[str, str]) -> str:
    """``3 Slack escalation messages to #sup-eu gave up: slack: channel_not_found: …``, the
    system named by its connector's ``title`` (``titles``, by key)."""
    system = titles.get(group.target, group.target)
    named = f"{group.operation} side effect"
    one, many = OPERATIONS.get(group.operation, (named, f"{named}s"))
    what = one if group.count == 1 else many
    where = f" to {group.channel}" if group.channel else ""
    return f"{group.count} {system} {what}{where} gave up: {group.reason}"
