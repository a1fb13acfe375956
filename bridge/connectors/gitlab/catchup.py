"""What happened on the project since a time, as its webhook would have told it: releases
created, merge requests merged, and on the ARs the bridge waits on, developers' notes and
closes or reopens. Each listing is read newest first, a page of 100 per request through the
rate budget, down to the watermark; one that reaches ``MAX_PAGES`` first says what it left.

The payloads are shaped as the webhook's bodies (the fields ``GitLabEvents`` reads), keyed as
the receiver keys them, so a delivery and its catch-up copy act once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import structlog

from bridge.services.ports import CutOff, MissedEvent

log = structlog.get_logger(__name__)
PAGE = 100  # GitLab's largest page
MAX_PAGES = 10  # per listing and run
Call = Callable[[Callable[[], Any]], Any]


def stamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


class Found:
    """One run's events, and what listings stopped at their cap left unread."""

    def __init__(self, call: Call, since: dt.datetime, path: str) -> None:
        self.call, self.since, self.path = call, since, path
        self.events: list[MissedEvent] = []
        self.unread: list[str] = []

    def newest_first(
        self, manager: Any, at: str, what: str, **query: Any
    ) -> Iterator[dict[str, Any]]:
        """The items of ``manager``'s listing as the API gives them, newest first by ``at``,
        down to the watermark: one request per page, each through the budget."""
        for page in itertools.count(1):
            if page > MAX_PAGES:
                self.unread.append(f"GitLab {what}: older than {MAX_PAGES * PAGE} not caught up")
                log.warning("gitlab.catch_up.unread", listing=what)
                return
            items = self.call(
                lambda page=page: [
                    item.asdict()
                    for item in manager.list(page=page, per_page=PAGE, sort="desc", **query)
                ]
            )
            for item in items:
                when = stamp(item.get(at))
                if when is None or when < self.since:
                    return
                yield item
            if len(items) < PAGE:
                return

    def add(self, event_type: str, record: str, payload: dict[str, Any], at: Any) -> None:
        envelope = {"project": {"path_with_namespace": self.path}}
        when = stamp(at) or self.since
        self.events.append(MissedEvent("gitlab", event_type, record, envelope | payload, when))

    def answer(self) -> list[MissedEvent] | CutOff:
        events = sorted(self.events, key=lambda event: event.occurred_at)
        if not self.unread:
            return events
        return CutOff(events, dt.datetime.now(dt.UTC), tuple(self.unread))


def missed_since(
    project: Any, call: Call, since: dt.datetime, watched: tuple[str, ...], path: str
) -> list[MissedEvent] | CutOff:
    found = Found(call, since, path)
    releases = found.newest_first(
        project.releases, "released_at", "releases", order_by="released_at"
    )
    for release in releases:
        tag = str(release["tag_name"])
        payload = {"object_kind": "release", "action": "create", "tag": tag}
        payload |= {name: release.get(name) for name in ("name", "description", "released_at")}
        found.add("release.create", f"{path}@{tag}", payload, release.get("released_at"))
    merged = found.newest_first(
        project.mergerequests,
        "updated_at",
        "merge requests merged",
        state="merged",
        order_by="updated_at",
        updated_after=since.isoformat(),
    )
    for merge_request in merged:
        payload = {
            "object_kind": "merge_request",
            "object_attributes": merge_request | {"action": "merge"},
            "user": merge_request.get("merged_by") or {},
        }
        record = f"{path}!{merge_request['iid']}"
        found.add("merge_request.merge", record, payload, merge_request.get("merged_at"))
    for key in watched:
        if key.startswith(f"{path}#"):
            _on_issue(project, found, key)
    return found.answer()


def _on_issue(project: Any, found: Found, key: str) -> None:
    """A watched AR's notes since the watermark, and its close or reopen if it changed since."""
    issue = found.call(lambda: project.issues.get(int(key.rsplit("#", 1)[1])))
    shown = issue.asdict() | {"url": issue.web_url}
    reopened = False
    notes = found.newest_first(issue.notes, "created_at", f"notes on {key}", order_by="created_at")
    for note in notes:
        if note.get("system"):
            reopened |= str(note.get("body")).strip() == "reopened"
            continue
        attributes = {"noteable_type": "Issue", "system": False, "action": "create"}
        attributes |= {"id": note["id"], "note": note.get("body")}
        attributes |= {name: note.get(name) for name in ("created_at", "updated_at")}
        payload = {"object_kind": "note", "object_attributes": attributes, "issue": shown}
        payload["user"] = note.get("author") or {}
        found.add("note.create", key, payload, note.get("created_at"))
    closed = shown.get("state") == "closed"
    changed = stamp(shown.get("closed_at") if closed else shown.get("updated_at"))
    if changed is None or changed < found.since or not (closed or reopened):
        return
    action = "close" if closed else "reopen"
    payload = {"object_kind": "issue", "object_attributes": shown | {"action": action}}
    payload["user"] = shown.get("closed_by") or {}
    found.add(f"issue.{action}", key, payload, changed.isoformat())
