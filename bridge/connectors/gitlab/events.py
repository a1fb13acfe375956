"""What a GitLab delivery says, read from its JSON (no I/O): the GitLab package's own reading,
asked by the bridge through ``GitLabEvents`` (the ``TrackerEvents`` port), never by name.

Event types are ``<object_kind>.<action>`` as the receiver names them (``issue.close``,
``note.create``, ``merge_request.merge``, ``release.create``). A merged merge request fixes
in code the issues its title or description closes ("Closes #12", GitLab's default closing
pattern, read here so that a merge into a release branch counts too); a release fixes the
issues its name or notes reference. On a linked issue: a comment, its close (a ``duplicate``
label or GitLab's ``duplicated_to_id`` make it a duplicate), a reopen, an assignee change.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from bridge.services.ar_events import (
    ASSIGNEE,
    COMMENT,
    RESOLUTION,
    STATUS,
    ArEvent,
    ArIdentity,
    vendor_id_of,
)
from bridge.services.json_body import as_object, as_text, objects_in
from bridge.services.readings import TrackerReading
from bridge.services.signals import ShipSignal

SYSTEM = "gitlab"
MR_MERGED = "gitlab.merge_request_merged"
RELEASE_PUBLISHED = "gitlab.release_published"
SURVIVOR_HINT = (
    'no "Duplicate of #N" comment on it names the surviving issue in its project; '
    "one written there moves the waiting customers to it"
)
_PROJECT = r"[\w.-]+(?:/[\w.-]+)+"
# An issue as GitLab lets text name it: #12, group/project#12, or its page's address.
_ISSUE = rf"(?:(?:{_PROJECT})?#\d+|https?://\S+?/-/issues/\d+)"
_REFERENCE = re.compile(
    rf"(?<![\w/&!])(?:(?P<project>{_PROJECT})?#(?P<iid>\d+)"
    rf"|https?://[^\s/]+(?P<url_path>(?:/[\w.-]+)+?)/-/issues/(?P<url_iid>\d+))\b"
)
_CLOSING = re.compile(
    r"\b(?:clos(?:e[sd]?|ing)|fix(?:e[sd]|ing)?|resolv(?:e[sd]?|ing)|implement(?:s|ed|ing)?)"
    rf":? +(?:issues? +)?(?P<refs>{_ISSUE}(?:(?: *,? +and +| *, *){_ISSUE})*)",
    re.IGNORECASE,
)
DUPLICATE_OF = re.compile(rf"^\s*duplicate of\s+({_PROJECT})?#(\d+)\b", re.IGNORECASE)


def _keys(text: str, project: str, closing_only: bool) -> tuple[str, ...]:
    """The issues ``text`` closes (or, for a release, references), as ``group/project#12``; an
    issue of another project is not ours to follow."""
    pieces = [m["refs"] for m in _CLOSING.finditer(text)] if closing_only else [text]
    found = []
    for piece in pieces:
        for ref in _REFERENCE.finditer(piece):
            if ref["url_iid"]:  # the page's path ends with the project's (a relative root)
                ours = ref["url_path"].lower().endswith("/" + project.lower())
            else:
                ours = (ref["project"] or project).lower() == project.lower()
            if ours:
                found.append(f"{project}#{ref['iid'] or ref['url_iid']}")
    return tuple(dict.fromkeys(found))


def project_path(payload: dict[str, Any]) -> str:
    return as_text(as_object(payload.get("project")).get("path_with_namespace"))


def attributes(payload: dict[str, Any]) -> dict[str, Any]:
    return as_object(payload.get("object_attributes"))


def ship_signal(event_type: str, payload: dict[str, Any]) -> ShipSignal | None:
    project = project_path(payload)
    if not project:
        return None
    if event_type == "merge_request.merge":
        merge_request = attributes(payload)
        text = f"{as_text(merge_request.get('title'))}\n{as_text(merge_request.get('description'))}"
        keys = _keys(text, project, closing_only=True)
        ref = f"{project} merge request !{merge_request.get('iid')}"
        return ShipSignal(MR_MERGED, SYSTEM, project, ref, keys) if keys else None
    if event_type == "release.create":
        text = f"{as_text(payload.get('name'))}\n{as_text(payload.get('description'))}"
        keys = _keys(text, project, closing_only=False)
        name = as_text(payload.get("name")) or as_text(payload.get("tag"))
        ref = f"{project} release {name}"
        return ShipSignal(RELEASE_PUBLISHED, SYSTEM, project, ref, keys) if keys else None
    return None


def issue_of(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The issue an Issue Hook or a Note Hook on an issue is about, else {}."""
    if event_type.startswith("issue."):
        return attributes(payload)
    if event_type.startswith("note.") and attributes(payload).get("noteable_type") == "Issue":
        return as_object(payload.get("issue"))
    return {}


def _resolution(issue: dict[str, Any]) -> str:
    labels = {as_text(label.get("title")).lower() for label in objects_in(issue.get("labels"))}
    if "duplicate" in labels or issue.get("duplicated_to_id"):
        return "Duplicate"
    return "Closed"


def duplicate_of(project: str, body: str) -> str:
    """The surviving issue a "Duplicate of #12" comment names, in this project only."""
    found = DUPLICATE_OF.match(body)
    if not found or (found[1] and found[1].lower() != project.lower()):
        return ""
    return f"{project}#{found[2]}"


def said_on_ar(event_type: str, payload: dict[str, Any]) -> list[ArEvent]:
    project, issue = project_path(payload), issue_of(event_type, payload)
    if not project or not issue.get("iid"):
        return []
    key = f"{project}#{issue['iid']}"
    author = as_text(as_object(payload.get("user")).get("username"))
    if event_type == "note.create":
        note = attributes(payload)
        said = as_text(note.get("note")).strip()
        if not note.get("id") or not said or note.get("system") is True:
            return []
        heard = [ArEvent(SYSTEM, key, f"note:{note['id']}", COMMENT, author, said)]
        survivor = duplicate_of(project, said)
        if survivor and issue.get("state") == "closed" and _resolution(issue) == "Duplicate":
            event_id = f"duplicate:{note['id']}"
            heard.append(ArEvent(SYSTEM, key, event_id, RESOLUTION, author, "Duplicate", survivor))
        return heard
    changed = as_text(issue.get("updated_at"))
    if event_type == "issue.close":
        closed = as_text(issue.get("closed_at")) or changed
        return [ArEvent(SYSTEM, key, f"closed:{closed}", RESOLUTION, author, _resolution(issue))]
    if event_type == "issue.reopen":
        return [ArEvent(SYSTEM, key, f"reopened:{changed}", STATUS, author, "Reopened")]
    assignees = as_object(as_object(payload.get("changes")).get("assignees"))
    if event_type == "issue.update" and assignees:
        now = [as_text(a.get("username")) for a in objects_in(assignees.get("current"))]
        said = ", ".join(filter(None, now)) or "unassigned"
        return [ArEvent(SYSTEM, key, f"assignees:{changed}", ASSIGNEE, author, said)]
    return []


def identity_of(event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
    project, issue = project_path(payload), issue_of(event_type, payload)
    vendor_id = vendor_id_of(issue.get("id"))
    if not project or not issue.get("iid") or not vendor_id:
        return None
    return ArIdentity(f"{project}#{issue['iid']}", vendor_id, url=as_text(issue.get("url")))


def content_key(event_type: str, payload: dict[str, Any]) -> str | None:
    """What the webhook and a listing both show: a release's tag, a merge request's iid, a
    note's id, an issue's close or reopen time; None: keyed by the delivery's UUID."""
    project = project_path(payload)
    if not project:
        return None
    if event_type == "release.create":
        tag = as_text(payload.get("tag"))
        return f"release.create:{project}@{tag}" if tag else None
    found = attributes(payload)
    if event_type == "merge_request.merge":
        return f"merge_request.merge:{project}!{found['iid']}" if found.get("iid") else None
    if event_type == "note.create":
        return f"note.create:{project}:{found['id']}" if found.get("id") else None
    if event_type in ("issue.close", "issue.reopen"):
        stamp = as_text(found.get("closed_at") if event_type == "issue.close" else None)
        stamp = stamp or as_text(found.get("updated_at"))
        iid = found.get("iid")
        return f"{event_type}:{project}#{iid}@{stamp}" if iid and stamp else None
    return None


class GitLabEvents:
    """The ``TrackerEvents`` port for GitLab deliveries."""

    release_event = None  # a release names its issues when it comes
    signal_meanings: ClassVar[dict[str, str]] = {
        MR_MERGED: "fixed_in_code",
        RELEASE_PUBLISHED: "fix_available",
    }

    def read(self, event_type: str, payload: dict[str, Any]) -> TrackerReading:
        signal = ship_signal(event_type, payload)
        said = [
            replace(event, survivor_hint=SURVIVOR_HINT)
            if event.is_duplicate and not event.survivor
            else event
            for event in said_on_ar(event_type, payload)
        ]
        return TrackerReading(ship=(signal,) if signal is not None else (), said=tuple(said))

    def identity(self, event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
        return identity_of(event_type, payload)

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return content_key(event_type, payload)

    def release_of(self, stored: dict[str, Any]) -> ShipSignal | None:
        return None

    def duplicate_named(self, key: str, stored_comment: dict[str, Any]) -> str:
        """The surviving issue an earlier "Duplicate of #N" note on ``key`` names."""
        body = as_text(as_object(stored_comment.get("object_attributes")).get("note"))
        found = duplicate_of(key.rsplit("#", 1)[0], body)
        return found if found != key else ""

    def project_of(self, key: str) -> str:
        """``group/project``: the project an issue key names."""
        return key.rsplit("#", 1)[0]
