"""The webhooks Jira Cloud sends, shaped like captured Cloud deliveries (see tests/fixtures)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sandbox.jira.render import ACTING_AS, DEVELOPER_ACCOUNT
from sandbox.jira.state import Change, Comment, Issue, Version, next_id

if TYPE_CHECKING:
    from sandbox.jira.app import JiraServer


def change(
    field: str, old: Any, new: Any, old_id: Any = None, new_id: Any = None
) -> dict[str, Any]:
    """One changelog item; Jira sends ids in from/to and display text in fromString/toString."""
    return {
        "field": field,
        "fieldtype": "custom" if field.startswith("customfield_") else "jira",
        "fieldId": field,
        "from": old_id,
        "fromString": None if old is None else str(old),
        "to": new_id,
        "toString": None if new is None else str(new),
    }


def _stamp() -> int:
    return int(time.time() * 1000)


def issue_updated(server: JiraServer, issue: Issue, items: list[dict[str, Any]]) -> None:
    if not items:
        return
    author = DEVELOPER_ACCOUNT if ACTING_AS.get() == "developer" else server.world.account_id
    change = Change(next_id(), author, items)
    issue.history.append(change)
    server.emit(
        "jira:issue_updated",
        {
            "timestamp": _stamp(),
            "webhookEvent": "jira:issue_updated",
            "issue_event_type_name": "issue_generic",
            "user": server.render.user(),
            "issue": server.render.issue(issue),
            "changelog": {"id": change.id, "items": items},
        },
    )


def issue_created(server: JiraServer, issue: Issue) -> None:
    server.emit(
        "jira:issue_created",
        {
            "timestamp": _stamp(),
            "webhookEvent": "jira:issue_created",
            "issue_event_type_name": "issue_created",
            "user": server.render.user(),
            "issue": server.render.issue(issue),
        },
    )


def comment_created(server: JiraServer, issue: Issue, comment: Comment) -> None:
    _comment_event(server, "comment_created", issue, comment)


def comment_updated(server: JiraServer, issue: Issue, comment: Comment) -> None:
    _comment_event(server, "comment_updated", issue, comment)


def _comment_event(server: JiraServer, event: str, issue: Issue, comment: Comment) -> None:
    fields = server.render.fields(issue)
    summary_fields = ("summary", "issuetype", "project", "assignee", "priority", "status")
    server.emit(
        event,
        {
            "timestamp": _stamp(),
            "webhookEvent": event,
            "comment": server.render.comment(issue, comment),
            "issue": {
                "id": issue.id,
                "self": f"{server.render.rest('2')}/issue/{issue.id}",
                "key": issue.key,
                "fields": {k: fields[k] for k in summary_fields},
            },
        },
    )


def version_released(server: JiraServer, version: Version) -> None:
    shown = server.render.version(version)
    shown["userReleaseDate"] = time.strftime("%d/%b/%y")
    server.emit(
        "jira:version_released",
        {"timestamp": _stamp(), "webhookEvent": "jira:version_released", "version": shown},
    )
