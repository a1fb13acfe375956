"""Linked ARs reopened, assigned or unassigned since a time, as GitHub's ``issues.reopened``,
``issues.assigned`` and ``issues.unassigned`` webhooks would have told it.

Read from the repository's issue events (``GET …/issues/events``, newest first, a page of 100
a request) down to the first older than the time: one listing for all linked ARs instead of one
per AR. The webhook stamps its issue with the change (``updated_at``); the event names the same
moment (``created_at``), so the copy built here carries it as ``updated_at`` and keys alike
(``events.content_key``). Closes are caught up from the issues listing
(``issue_catchup``), which also tells the resolution; the closes listed here are handed back
for the ARs a cut-off issues listing did not reach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bridge.connectors.github.catchup import Call, Found, Listing, stamp
from bridge.services.ports import MissedEvent

HEARD = frozenset({"reopened", "assigned", "unassigned"})


@dataclass
class StateChanges:
    """The issues among those asked about that were closed since, as the events show them
    now (for a cut-off run's ARs not listed yet)."""

    closed: dict[int, dict[str, Any]] = field(default_factory=dict)


def missed_state_changes(
    repo: Any, call: Call, since: dt.datetime, numbers: set[int], found: Found
) -> StateChanges:
    full_name = repo.full_name
    changes = StateChanges()
    listing = Listing(repo, call, "issues/events")
    oldest: dt.datetime | None = None
    for event in listing:
        created = stamp(event.get("created_at"))
        if created is None:
            continue
        oldest = created
        if created < since:
            break
        issue = event.get("issue") if isinstance(event.get("issue"), dict) else {}
        number = issue.get("number")
        if number not in numbers or issue.get("pull_request"):
            continue
        if event.get("event") == "closed":
            changes.closed[number] = issue
        if event.get("event") not in HEARD:
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
        found.events.append(MissedEvent("github", f"issues.{action}", key, payload, created))
    if listing.cut_off:
        found.left_unread(listing, oldest, "reopens and assignments of linked issues")
    return changes
