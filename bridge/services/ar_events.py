"""What development says on an AR, read from the vendor's webhook JSON (no I/O): a comment,
a status or resolution change, a new assignee.

Each event carries an id the vendor gives it (Jira's comment or changelog id, GitHub's comment
id, or the issue's change time), so a delivery seen twice, or its catch-up copy, is heard once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bridge.domain.records import FixEta

COMMENT = "comment"
STATUS = "status"
RESOLUTION = "resolution"
ASSIGNEE = "assignee"
# Outcomes that undo the plan the customer accepted: the escalation manager renegotiates it.
RENEGOTIATE = frozenset(
    {"won't fix", "won't do", "wont fix", "duplicate", "cannot reproduce", "not planned"}
)


@dataclass(frozen=True)
class ArEvent:
    """``key`` names the AR as the tracker does (``DEV-7``, ``owner/repo#12``); ``event_id`` is
    the vendor's id of this change; ``said`` is the developer's words or the new value."""

    system: str
    key: str
    event_id: str
    kind: str
    author: str
    said: str

    @property
    def needs_renegotiation(self) -> bool:
        return self.kind == RESOLUTION and self.said.strip().lower() in RENEGOTIATE


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def document_text(body: Any) -> str:
    """A Jira comment body: a string (REST v2 webhooks) or an Atlassian document (v3)."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        if body.get("type") == "text":
            return _text(body.get("text"))
        parts = [document_text(child) for child in body.get("content") or []]
        joiner = "\n" if body.get("type") == "doc" else ""
        return joiner.join(parts)
    return ""


def _jira_person(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    return _text(person.get("displayName")) or _text(person.get("name"))


def from_jira(event_type: str, payload: dict[str, Any]) -> list[ArEvent]:
    key = _text((payload.get("issue") or {}).get("key"))
    if not key:
        return []
    if event_type == "comment_created":
        comment = payload.get("comment") or {}
        said = document_text(comment.get("body")).strip()
        if not comment.get("id") or not said:
            return []
        author = _jira_person(comment.get("author"))
        return [ArEvent("jira", key, f"comment:{comment['id']}", COMMENT, author, said)]
    if event_type != "jira:issue_updated":
        return []
    changelog = payload.get("changelog") or {}
    author = _jira_person(payload.get("user"))
    found = []
    for item in changelog.get("items") or []:
        field = _text(item.get("field")).lower() if isinstance(item, dict) else ""
        if field not in (STATUS, RESOLUTION, ASSIGNEE) or not changelog.get("id"):
            continue
        said = _text(item.get("toString")) or ("unassigned" if field == ASSIGNEE else "")
        if said:
            event_id = f"changelog:{changelog['id']}:{field}"
            found.append(ArEvent("jira", key, event_id, field, author, said))
    return found


def _github_resolution(issue: dict[str, Any]) -> str:
    labels = {_text(label.get("name")).lower() for label in issue.get("labels") or []}
    if "duplicate" in labels:
        return "Duplicate"
    reason = _text(issue.get("state_reason"))
    return {"not_planned": "Not planned", "completed": "Completed"}.get(reason, "Closed")


def from_github(event_type: str, payload: dict[str, Any]) -> list[ArEvent]:
    repo = _text((payload.get("repository") or {}).get("full_name"))
    issue = payload.get("issue") or {}
    if not repo or not issue.get("number") or issue.get("pull_request"):
        return []
    key = f"{repo}#{issue['number']}"
    author = _text((payload.get("sender") or {}).get("login"))
    if event_type == "issue_comment.created":
        comment = payload.get("comment") or {}
        said = _text(comment.get("body")).strip()
        if not comment.get("id") or not said:
            return []
        login = _text((comment.get("user") or {}).get("login")) or author
        return [ArEvent("github", key, f"comment:{comment['id']}", COMMENT, login, said)]
    changed = _text(issue.get("closed_at")) or _text(issue.get("updated_at"))
    if event_type == "issues.closed":
        said = _github_resolution(issue)
        return [ArEvent("github", key, f"closed:{changed}", RESOLUTION, author, said)]
    if event_type == "issues.reopened":
        stamp = _text(issue.get("updated_at"))
        return [ArEvent("github", key, f"reopened:{stamp}", STATUS, author, "Reopened")]
    if event_type in ("issues.assigned", "issues.unassigned"):
        assignee = _text((payload.get("assignee") or {}).get("login"))
        said = assignee if event_type == "issues.assigned" else f"unassigned {assignee}"
        stamp = _text(issue.get("updated_at"))
        event_id = f"{event_type}:{assignee}:{stamp}"
        return [ArEvent("github", key, event_id, ASSIGNEE, author, said)]
    return []


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(_text(value)[:10])
    except ValueError:
        return None


def jira_fix_eta(event_type: str, payload: dict[str, Any]) -> tuple[str, FixEta] | None:
    """The AR's key and the unreleased fix version with a release date it names, if any."""
    if not event_type.startswith("jira:issue_"):
        return None
    issue = payload.get("issue") or {}
    key = _text(issue.get("key"))
    versions = [
        v for v in (issue.get("fields") or {}).get("fixVersions") or [] if isinstance(v, dict)
    ]
    dated = [(v, _day(v.get("releaseDate"))) for v in versions if v.get("released") is not True]
    found = [(v, day) for v, day in dated if day is not None]
    if not key or not found:
        return None
    version, day = min(found, key=lambda pair: pair[1])  # the earliest promise is the ETA
    name = _text(version.get("name")) or str(version.get("id"))
    return key, FixEta(f"jira:{key}", name, day)


def github_fix_eta(event_type: str, payload: dict[str, Any]) -> tuple[str, FixEta] | None:
    """The AR's key and its open milestone's due date (GitHub's fix version), if any."""
    repo = _text((payload.get("repository") or {}).get("full_name"))
    issue = payload.get("issue") or {}
    milestone = issue.get("milestone")
    if not event_type.startswith("issues.") or not repo or not issue.get("number"):
        return None
    if not isinstance(milestone, dict) or milestone.get("state") == "closed":
        return None
    day = _day(milestone.get("due_on"))
    if day is None:
        return None
    key = f"{repo}#{issue['number']}"
    name = _text(milestone.get("title")) or str(milestone.get("number"))
    return key, FixEta(f"github:{key}", name, day)


def jira_version_eta(event_type: str, payload: dict[str, Any]) -> tuple[str, str, dt.date] | None:
    """A version dated (or re-dated) before its release: its id, its name and the date."""
    if event_type not in ("jira:version_created", "jira:version_updated"):
        return None
    version = payload.get("version") or {}
    day = _day(version.get("releaseDate"))
    if not version.get("id") or version.get("released") is True or day is None:
        return None
    return str(version["id"]), _text(version.get("name")) or str(version["id"]), day
