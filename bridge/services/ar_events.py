"""What development says on an AR, read from the vendor's webhook JSON (no I/O): a comment,
a status or resolution change, a new assignee.

Each event carries an id the vendor gives it (Jira's comment or changelog id, GitHub's comment
id, or the issue's change time), so a delivery seen twice, or its catch-up copy, is heard once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from bridge.domain.records import FixEta
from bridge.services.json_body import as_object, objects_in

COMMENT = "comment"
STATUS = "status"
RESOLUTION = "resolution"
ASSIGNEE = "assignee"
# Outcomes that undo the plan the customer accepted: the escalation manager renegotiates it.
RENEGOTIATE = frozenset(
    {"won't fix", "won't do", "wont fix", "duplicate", "cannot reproduce", "not planned"}
)
DUPLICATE = "duplicate"
# GitHub's convention, which it turns into "marked this as a duplicate of": a comment opening
# with "Duplicate of #12" (or "Duplicate of owner/repo#12").
DUPLICATE_OF = re.compile(r"^\s*duplicate of\s+([\w.-]+/[\w.-]+)?#(\d+)\b", re.IGNORECASE)


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
    # A duplicate: the surviving issue the event names (its key, and its id when given).
    survivor: str = ""
    survivor_id: str = ""

    @property
    def needs_renegotiation(self) -> bool:
        return self.kind == RESOLUTION and self.said.strip().lower() in RENEGOTIATE

    @property
    def is_duplicate(self) -> bool:
        return self.kind == RESOLUTION and self.said.strip().lower() == DUPLICATE


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def document_text(body: Any) -> str:
    """A Jira comment body: a string (REST v2 webhooks) or an Atlassian document (v3)."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        if body.get("type") == "text":
            return _text(body.get("text"))
        parts = [document_text(child) for child in objects_in(body.get("content"))]
        joiner = "\n" if body.get("type") == "doc" else ""
        return joiner.join(parts)
    return ""


def _jira_person(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    return _text(person.get("displayName")) or _text(person.get("name"))


def _jira_survivors(payload: dict[str, Any]) -> set[tuple[str, str]]:
    """(key, id) of each issue the AR "duplicates": its Duplicate issue links (the update lists
    them in the issue's fields) and a link set with the resolution (the changelog's "Link")."""
    issue = as_object(payload.get("issue"))
    found = set()
    for link in objects_in(as_object(issue.get("fields")).get("issuelinks")):
        kind = as_object(link.get("type"))
        other = as_object(link.get("outwardIssue"))
        duplicates = _text(kind.get("name")).lower() == DUPLICATE or (
            _text(kind.get("outward")).lower() == "duplicates"
        )
        if duplicates and _text(other.get("key")):
            found.add((_text(other.get("key")), str(other.get("id") or "")))
    for item in objects_in(as_object(payload.get("changelog")).get("items")):
        said = _text(item.get("toString"))
        if _text(item.get("field")).lower() == "link" and "duplicates" in said.lower():
            key = _text(item.get("to")) or said.rsplit(" ", 1)[-1]
            if not any(known == key for known, _id in found):
                found.add((key, ""))
    return found


def _survivor(event: ArEvent, candidates: set[tuple[str, str]]) -> ArEvent:
    """The duplicate event with its surviving issue, when exactly one other issue is named."""
    others = {(key, vendor_id) for key, vendor_id in candidates if key != event.key}
    if len({key for key, _ in others}) != 1:
        return event
    key = next(iter(others))[0]
    vendor_id = max(vendor_id for other, vendor_id in others if other == key)
    return replace(event, survivor=key, survivor_id=vendor_id)


def from_jira(event_type: str, payload: dict[str, Any]) -> list[ArEvent]:
    key = _text(as_object(payload.get("issue")).get("key"))
    if not key:
        return []
    if event_type == "comment_created":
        comment = as_object(payload.get("comment"))
        said = document_text(comment.get("body")).strip()
        if not comment.get("id") or not said:
            return []
        author = _jira_person(comment.get("author"))
        return [ArEvent("jira", key, f"comment:{comment['id']}", COMMENT, author, said)]
    if event_type != "jira:issue_updated":
        return []
    changelog = as_object(payload.get("changelog"))
    author = _jira_person(payload.get("user"))
    found = []
    for item in objects_in(changelog.get("items")):
        field = _text(item.get("field")).lower()
        if field not in (STATUS, RESOLUTION, ASSIGNEE) or not changelog.get("id"):
            continue
        said = _text(item.get("toString")) or ("unassigned" if field == ASSIGNEE else "")
        if said:
            event_id = f"changelog:{changelog['id']}:{field}"
            event = ArEvent("jira", key, event_id, field, author, said)
            if event.is_duplicate:
                event = _survivor(event, _jira_survivors(payload))
            found.append(event)
    if changelog.get("id") and not any(event.kind == RESOLUTION for event in found):
        found += _linked_later(key, str(changelog["id"]), author, payload)
    return found


def _linked_later(key: str, change: str, author: str, payload: dict[str, Any]) -> list[ArEvent]:
    """A "duplicates" link added to an issue already resolved as Duplicate: the surviving
    issue is named now (the waiting customers were kept where they were until then)."""
    resolution = as_object(
        as_object(as_object(payload.get("issue")).get("fields")).get("resolution")
    )
    items = objects_in(as_object(payload.get("changelog")).get("items"))
    linked = any(_text(item.get("field")).lower() == "link" for item in items)
    if not linked or _text(resolution.get("name")).lower() != DUPLICATE:
        return []
    event = ArEvent("jira", key, f"changelog:{change}:link", RESOLUTION, author, "Duplicate")
    event = _survivor(event, _jira_survivors(payload))
    return [event] if event.survivor else []


def _github_resolution(issue: dict[str, Any]) -> str:
    labels = {_text(label.get("name")).lower() for label in objects_in(issue.get("labels"))}
    if "duplicate" in labels:
        return "Duplicate"
    reason = _text(issue.get("state_reason"))
    named = {"not_planned": "Not planned", "completed": "Completed", "duplicate": "Duplicate"}
    return named.get(reason, "Closed")


def github_duplicate_of(repo: str, body: str) -> str:
    """The surviving issue a "Duplicate of #12" comment names (``owner/repo#12``), if any. One
    in another repository is not taken: the bridge writes waiting lists in its own only."""
    found = DUPLICATE_OF.match(body)
    if not found or (found[1] and found[1].lower() != repo.lower()):
        return ""
    return f"{repo}#{found[2]}"


def from_github(event_type: str, payload: dict[str, Any]) -> list[ArEvent]:
    repo = _text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
    if not repo or not issue.get("number") or issue.get("pull_request"):
        return []
    key = f"{repo}#{issue['number']}"
    author = _text(as_object(payload.get("sender")).get("login"))
    if event_type == "issue_comment.created":
        comment = as_object(payload.get("comment"))
        said = _text(comment.get("body")).strip()
        if not comment.get("id") or not said:
            return []
        login = _text(as_object(comment.get("user")).get("login")) or author
        heard = [ArEvent("github", key, f"comment:{comment['id']}", COMMENT, login, said)]
        survivor = github_duplicate_of(repo, said)
        if survivor and issue.get("state") == "closed" and _github_resolution(issue) == "Duplicate":
            # Closed as a duplicate before the comment named the surviving issue.
            event_id = f"duplicate:{comment['id']}"
            heard.append(ArEvent("github", key, event_id, RESOLUTION, login, "Duplicate", survivor))
        return heard
    changed = _text(issue.get("closed_at")) or _text(issue.get("updated_at"))
    if event_type == "issues.closed":
        said = _github_resolution(issue)
        return [ArEvent("github", key, f"closed:{changed}", RESOLUTION, author, said)]
    if event_type == "issues.reopened":
        stamp = _text(issue.get("updated_at"))
        return [ArEvent("github", key, f"reopened:{stamp}", STATUS, author, "Reopened")]
    if event_type in ("issues.assigned", "issues.unassigned"):
        assignee = _text(as_object(payload.get("assignee")).get("login"))
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
    issue = as_object(payload.get("issue"))
    key = _text(issue.get("key"))
    versions = objects_in(as_object(issue.get("fields")).get("fixVersions"))
    dated = [(v, _day(v.get("releaseDate"))) for v in versions if v.get("released") is not True]
    found = [(v, day) for v, day in dated if day is not None]
    if not key or not found:
        return None
    version, day = min(found, key=lambda pair: pair[1])  # the earliest promise is the ETA
    name = _text(version.get("name")) or str(version.get("id"))
    return key, FixEta(f"jira:{key}", name, day)


def github_fix_eta(event_type: str, payload: dict[str, Any]) -> tuple[str, FixEta] | None:
    """The AR's key and its open milestone's due date (GitHub's fix version), if any."""
    repo = _text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
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
    version = as_object(payload.get("version"))
    day = _day(version.get("releaseDate"))
    if not version.get("id") or version.get("released") is True or day is None:
        return None
    return str(version["id"]), _text(version.get("name")) or str(version["id"]), day
