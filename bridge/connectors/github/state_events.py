"""Linked ARs reopened, assigned or unassigned since a time, as GitHub's ``issues.reopened``,
``issues.assigned`` and ``issues.unassigned`` webhooks would have told it.

Read from the repository's issue events (``GET …/issues/events``, newest first, a page of 100
a request) down to the first older than the time: one listing for all linked ARs instead of one
per AR. The webhook stamps its issue with the change (``updated_at``); the event names the same
moment (``created_at``), so the copy built here carries it as ``updated_at`` and keys alike
(``signals.content_delivery_id``). Closes are caught up from the issues listing
(``issue_catchup``), which also tells the resolution."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.connectors.github.catchup import Call, pages, stamp
from bridge.services.ports import MissedEvent

HEARD = frozenset({"reopened", "assigned", "unassigned"})


def missed_state_changes(
    repo: Any, call: Call, since: dt.datetime, numbers: set[int]
) -> list[MissedEvent]:
    full_name = repo.full_name
    found = []
    for event in pages(repo, call, "issues/events"):
        created = stamp(event.get("created_at"))
        if created is None:
            continue
        if created < since:
            break
        issue = event.get("issue") if isinstance(event.get("issue"), dict) else {}
        number = issue.get("number")
        if event.get("event") not in HEARD or number not in numbers or issue.get("pull_request"):
            continue
        action = str(event["event"])
        payload: dict[str, Any] = {
            "repository": {"full_name": full_name},
            "action": action,
            "issue": {**issue, "updated_at": event["created_at"]},
            "sender": event.get("actor") or {},
        }
        if action != "reopened":
            payload["assignee"] = event.get("assignee") or {}
        key = f"{full_name}#{number}"
        found.append(MissedEvent("github", f"issues.{action}", key, payload, created))
    return found
