"""What development did on linked ARs since a time, as Jira's webhooks would have told it:
each changelog history (status, resolution, assignee, fix versions) becomes the
``jira:issue_updated`` it was sent as, each new comment the ``comment_created``.

One JQL search per ``BATCH`` ARs (``issuekey in (…) AND updated >= "-Nm"``, changelog
expanded), for every AR watched: the run moves the watermark on, so an AR left out of a run
would never be asked about again; the rate budget paces the searches (1,000 ARs: 10 searches,
one second at Jira's 10 a second). The time is relative to now, so the bridge account's time
zone, which Jira applies to absolute JQL dates, plays no part. The changelog id and the comment
id are the ones the webhook carries, so ``events.content_key`` keys both copies alike.

A search shows at most 100 histories of an issue's changelog. An AR changed more often than that
(``total`` says so) has the rest read from its changelog (``GET issue/{key}/changelog``, oldest
first, 100 a page), from the newest page back until a page starts before the watermark: one
request for each 100 changes made while the bridge heard nothing, only where they are that many.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import structlog

from bridge.services.json_body import as_object, objects_in
from bridge.services.ports import MissedEvent, PermanentConnectorError

log = structlog.get_logger(__name__)
BATCH = 100  # keys in one search: one page of results, Jira Cloud's largest search page
FIELDS = "summary,status,resolution,assignee,fixVersions,comment,project,issuetype,priority,updated"
SUMMARY_FIELDS = ("summary", "issuetype", "project", "assignee", "priority", "status")
Search = Callable[[str, Sequence[str], int], list[dict[str, Any]]]
# (issue key, first index, how many): a page of the issue's changelog, as Jira answers it.
History = Callable[[str, int, int], dict[str, Any]]
HISTORY_PAGE = 100
# Jira refuses a whole search that names a key it does not know (an AR deleted in Jira).
_MISSING = re.compile(r"key '(?P<key>[^']+)' does not exist")


def _stamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _millis(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def updated_jql(keys: Sequence[str], since: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((now - since).total_seconds() / 60))
    return f'issuekey in ({", ".join(keys)}) AND updated >= "-{minutes}m"'


def missed_on_issues(
    search: Search,
    keys: Sequence[str],
    since: dt.datetime,
    now: dt.datetime,
    history: History | None = None,
) -> list[MissedEvent]:
    """``search(jql, keys, size)`` answers the raw issues, changelog expanded; ``history``
    reads the rest of a changelog the search cut (None: where Jira has no such request)."""
    found: list[MissedEvent] = []
    for batch in (keys[i : i + BATCH] for i in range(0, len(keys), BATCH)):
        for issue in _search_known(search, batch, since, now):
            found.extend(issue_events(issue, since, history))
    return sorted(found, key=lambda event: event.occurred_at)


def _search_known(
    search: Search, batch: Sequence[str], since: dt.datetime, now: dt.datetime
) -> list[dict[str, Any]]:
    """The batch's search; once more without the keys Jira says do not exist, so one deleted
    AR does not stop catch-up for every other."""
    try:
        return search(updated_jql(batch, since, now), batch, len(batch))
    except PermanentConnectorError as exc:
        missing = {match["key"].upper() for match in _MISSING.finditer(str(exc))}
        known = [key for key in batch if key.upper() not in missing]
        if not missing or len(known) == len(batch):
            raise
        log.warning("jira.catch_up.missing_ars", missing=sorted(missing))
        return search(updated_jql(known, since, now), known, len(known)) if known else []


def _histories(
    key: str, changelog: dict[str, Any], since: dt.datetime, history: History | None
) -> list[dict[str, Any]]:
    """The issue's histories that may be since ``since``: those the search showed, or, when it
    showed fewer than the changelog holds, the changelog's pages read back to ``since``."""
    shown = objects_in(changelog.get("histories"))
    total = changelog.get("total")
    if history is None or not isinstance(total, int) or total <= len(shown):
        return shown
    read: list[dict[str, Any]] = []
    end = total
    while end > 0:
        start = max(0, end - HISTORY_PAGE)
        page = objects_in(as_object(history(key, start, end - start)).get("values"))
        read = page + read
        first = _stamp(page[0].get("created")) if page else None
        if first is None or first < since:
            break
        end = start
    log.info("jira.catch_up.long_changelog", issue=key, total=total, read=len(read))
    return read


def issue_events(
    issue: dict[str, Any], since: dt.datetime, reader: History | None = None
) -> list[MissedEvent]:
    key = str(issue.get("key") or "")
    fields = issue.get("fields") or {}
    if not key:
        return []
    shown = {k: v for k, v in issue.items() if k != "changelog"}
    found = []
    for history in _histories(key, as_object(issue.get("changelog")), since, reader):
        created = _stamp(history.get("created"))
        if created is None or created < since or not history.get("id"):
            continue
        payload = {
            "timestamp": _millis(created),
            "webhookEvent": "jira:issue_updated",
            "issue_event_type_name": "issue_generic",
            "user": history.get("author") or {},
            "issue": shown,
            "changelog": {"id": str(history["id"]), "items": history.get("items") or []},
        }
        found.append(MissedEvent("jira", "jira:issue_updated", key, payload, created))
    summary = {
        "id": issue.get("id"),
        "self": issue.get("self"),
        "key": key,
        "fields": {k: fields[k] for k in SUMMARY_FIELDS if k in fields},
    }
    for comment in (fields.get("comment") or {}).get("comments") or []:
        created = _stamp(comment.get("created"))
        if created is None or created < since or not comment.get("id"):
            continue
        payload = {
            "timestamp": _millis(created),
            "webhookEvent": "comment_created",
            "comment": comment,
            "issue": summary,
        }
        found.append(MissedEvent("jira", "comment_created", key, payload, created))
    return found
