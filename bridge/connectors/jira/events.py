"""What a Jira delivery says, read from its JSON (no I/O): the Jira package's own reading,
asked by the bridge through ``JiraEvents`` (the ``TrackerEvents`` port), never by name.

An AR moving to a done-category status with a fix version, or a released version that holds
ARs, ships the fix. On a linked AR: a comment, a status, resolution or assignee change (a
Duplicate resolution names the surviving issue by its "duplicates" link), and an unreleased fix
version with a release date (the fix's ETA); a version dated before its release re-dates the ETA
of every AR in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, ClassVar

from bridge.domain.records import FixEta
from bridge.services.ar_events import (
    ASSIGNEE,
    COMMENT,
    DUPLICATE,
    RESOLUTION,
    STATUS,
    ArEvent,
    ArIdentity,
    day_of,
    vendor_id_of,
)
from bridge.services.json_body import as_object, as_text, objects_in
from bridge.services.readings import TrackerReading
from bridge.services.signals import ShipSignal

RELEASED = "jira:version_released"
# The ship signals Jira's deliveries give (``resolution.signals`` in bridge.yaml).
VERSION_RELEASED = "jira.version_released"
ISSUE_DONE = "jira.issue_done"
SURVIVOR_HINT = (
    'it has no single "duplicates" link naming the surviving issue; linking it to one '
    "moves the waiting customers to it"
)


def ship_signal(event_type: str, payload: dict[str, Any]) -> ShipSignal | None:
    if event_type == "jira:version_released":
        version = as_object(payload.get("version"))
        version_id = as_text(str(version.get("id") or ""))
        if not version_id:
            return None
        project = str(version.get("projectId") or "")
        ref = f"version {as_text(version.get('name')) or version_id}"
        return ShipSignal(VERSION_RELEASED, "jira", project, ref, version=version_id)
    if event_type.startswith("jira:issue_"):
        return _ship_signal_of_issue(payload)
    return None


def _ship_signal_of_issue(payload: dict[str, Any]) -> ShipSignal | None:
    issue = as_object(payload.get("issue"))
    key = as_text(issue.get("key"))
    fields = as_object(issue.get("fields"))
    versions = objects_in(fields.get("fixVersions"))
    if not key or not versions:
        return None
    project = key.rsplit("-", 1)[0]
    released = [v for v in versions if v.get("released") is True]
    if released:
        # The version was released before this event reached us (webhooks arrive in any
        # order): for this AR it is the release.
        name = as_text(released[-1].get("name")) or str(released[-1].get("id"))
        return ShipSignal(VERSION_RELEASED, "jira", project, f"version {name}", (key,))
    category = as_object(as_object(fields.get("status")).get("statusCategory")).get("key")
    if category != "done":
        return None
    names = ", ".join(as_text(v.get("name")) for v in versions)
    return ShipSignal(ISSUE_DONE, "jira", project, f"{key} done in {names}", (key,))


def fix_versions(payload: dict[str, Any]) -> tuple[str, list[str]]:
    """The issue key and the ids of its fix versions, from any Jira issue event."""
    issue = as_object(payload.get("issue"))
    versions = objects_in(as_object(issue.get("fields")).get("fixVersions"))
    ids = [str(v["id"]) for v in versions if v.get("id")]
    return as_text(issue.get("key")), ids


def document_text(body: Any) -> str:
    """A Jira comment body: a string (REST v2 webhooks) or an Atlassian document (v3)."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        if body.get("type") == "text":
            return as_text(body.get("text"))
        parts = [document_text(child) for child in objects_in(body.get("content"))]
        joiner = "\n" if body.get("type") == "doc" else ""
        return joiner.join(parts)
    return ""


def _person(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    return as_text(person.get("displayName")) or as_text(person.get("name"))


def _survivors(payload: dict[str, Any]) -> set[tuple[str, str]]:
    """(key, id) of each issue the AR "duplicates": its Duplicate issue links (the update lists
    them in the issue's fields) and a link set with the resolution (the changelog's "Link")."""
    issue = as_object(payload.get("issue"))
    found = set()
    for link in objects_in(as_object(issue.get("fields")).get("issuelinks")):
        kind = as_object(link.get("type"))
        other = as_object(link.get("outwardIssue"))
        duplicates = as_text(kind.get("name")).lower() == DUPLICATE or (
            as_text(kind.get("outward")).lower() == "duplicates"
        )
        if duplicates and as_text(other.get("key")):
            found.add((as_text(other.get("key")), str(other.get("id") or "")))
    for item in objects_in(as_object(payload.get("changelog")).get("items")):
        said = as_text(item.get("toString"))
        if as_text(item.get("field")).lower() == "link" and "duplicates" in said.lower():
            key = as_text(item.get("to")) or said.rsplit(" ", 1)[-1]
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


def said_on_ar(event_type: str, payload: dict[str, Any]) -> list[ArEvent]:
    key = as_text(as_object(payload.get("issue")).get("key"))
    if not key:
        return []
    if event_type == "comment_created":
        comment = as_object(payload.get("comment"))
        said = document_text(comment.get("body")).strip()
        if not comment.get("id") or not said:
            return []
        author = _person(comment.get("author"))
        return [ArEvent("jira", key, f"comment:{comment['id']}", COMMENT, author, said)]
    if event_type != "jira:issue_updated":
        return []
    changelog = as_object(payload.get("changelog"))
    author = _person(payload.get("user"))
    found = []
    for item in objects_in(changelog.get("items")):
        field = as_text(item.get("field")).lower()
        if field not in (STATUS, RESOLUTION, ASSIGNEE) or not changelog.get("id"):
            continue
        said = as_text(item.get("toString")) or ("unassigned" if field == ASSIGNEE else "")
        if said:
            event_id = f"changelog:{changelog['id']}:{field}"
            event = ArEvent("jira", key, event_id, field, author, said)
            if event.is_duplicate:
                event = _survivor(event, _survivors(payload))
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
    linked = any(as_text(item.get("field")).lower() == "link" for item in items)
    if not linked or as_text(resolution.get("name")).lower() != DUPLICATE:
        return []
    event = ArEvent("jira", key, f"changelog:{change}:link", RESOLUTION, author, "Duplicate")
    event = _survivor(event, _survivors(payload))
    return [event] if event.survivor else []


def fix_eta(event_type: str, payload: dict[str, Any]) -> tuple[str, FixEta] | None:
    """The AR's key and the unreleased fix version with a release date it names, if any."""
    if not event_type.startswith("jira:issue_"):
        return None
    issue = as_object(payload.get("issue"))
    key = as_text(issue.get("key"))
    versions = objects_in(as_object(issue.get("fields")).get("fixVersions"))
    dated = [(v, day_of(v.get("releaseDate"))) for v in versions if v.get("released") is not True]
    found = [(v, day) for v, day in dated if day is not None]
    if not key or not found:
        return None
    version, day = min(found, key=lambda pair: pair[1])  # the earliest promise is the ETA
    name = as_text(version.get("name")) or str(version.get("id"))
    return key, FixEta(f"jira:{key}", name, day)


def version_eta(event_type: str, payload: dict[str, Any]) -> tuple[str, str, dt.date] | None:
    """A version dated (or re-dated) before its release: its id, its name and the date."""
    if event_type not in ("jira:version_created", "jira:version_updated"):
        return None
    version = as_object(payload.get("version"))
    day = day_of(version.get("releaseDate"))
    if not version.get("id") or version.get("released") is True or day is None:
        return None
    return str(version["id"]), as_text(version.get("name")) or str(version["id"]), day


def identity_of(payload: dict[str, Any]) -> ArIdentity | None:
    issue = as_object(payload.get("issue"))
    key, vendor_id = as_text(issue.get("key")), vendor_id_of(issue.get("id"))
    if not key or not vendor_id:
        return None
    previous = ""
    for item in objects_in(as_object(payload.get("changelog")).get("items")):
        if as_text(item.get("field")).lower() == "key":
            previous = as_text(item.get("fromString"))
    return ArIdentity(key, vendor_id, previous if previous != key else "")


def _content_id(event_type: str, payload: dict[str, Any]) -> str | None:
    """A released version by its id, a new comment by its id, an issue change by its
    changelog id: ids the webhook and the REST API (search, ``expand=changelog``) both show."""
    if event_type == "jira:version_released":
        version = str(as_object(payload.get("version")).get("id") or "")
        return f"jira:version_released:{version}" if version else None
    if event_type == "comment_created":
        comment = str(as_object(payload.get("comment")).get("id") or "")
        return f"comment_created:{comment}" if comment else None
    if event_type == "jira:issue_updated":
        change = str(as_object(payload.get("changelog")).get("id") or "")
        return f"jira:issue_updated:{change}" if change else None
    return None


def content_key(event_type: str, payload: dict[str, Any]) -> str | None:
    return _content_id(event_type, payload)


class JiraEvents:
    """The ``TrackerEvents`` port for Jira deliveries."""

    release_event = RELEASED
    signal_meanings: ClassVar[dict[str, str]] = {
        VERSION_RELEASED: "fix_available",
        ISSUE_DONE: "fixed_in_code",
    }

    def read(self, event_type: str, payload: dict[str, Any]) -> TrackerReading:
        key, versions = fix_versions(payload) if event_type.startswith("jira:issue_") else ("", [])
        signal = ship_signal(event_type, payload)
        return TrackerReading(
            ship=(signal,) if signal is not None else (),
            fix_versions=(key, tuple(versions)),
            said=tuple(
                replace(event, survivor_hint=SURVIVOR_HINT) if event.is_duplicate else event
                for event in said_on_ar(event_type, payload)
            ),
            fix_eta=fix_eta(event_type, payload),
            version_eta=version_eta(event_type, payload),
        )

    def identity(self, event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
        return identity_of(payload)

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return content_key(event_type, payload)

    def release_of(self, stored: dict[str, Any]) -> ShipSignal | None:
        """A version's release stored earlier (Jira's deliveries come in any order), read again
        when an AR's fix version names it."""
        return ship_signal(RELEASED, stored)

    def duplicate_named(self, key: str, stored_comment: dict[str, Any]) -> str:
        """Jira names the surviving issue by a "duplicates" link, never in a comment."""
        return ""

    def project_of(self, key: str) -> str:
        """``DEV``: the project an issue key names."""
        return key.rsplit("-", 1)[0]
