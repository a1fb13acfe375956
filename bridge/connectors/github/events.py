"""What a GitHub delivery says, read from its JSON (no I/O): the GitHub package's own reading,
asked by the bridge through ``GitHubEvents`` (the ``TrackerEvents`` port), never by name.

A merged pull request closes the issues its title or body names with a closing keyword (read
here, so a PR into a release branch counts too, which GitHub itself would not close); a
published release fixes the issues its notes reference; a closed milestone releases the issues
in it. On a linked issue: a comment, its close (with GitHub's reason, or a ``duplicate`` label),
a reopen, an assignee change, and the milestone it is in (its due date is the fix's ETA).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from bridge.domain.records import FixEta
from bridge.services.ar_events import (
    ASSIGNEE,
    COMMENT,
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

# The ship signals GitHub's deliveries give (``resolution.signals`` in bridge.yaml).
PR_MERGED = "github.pull_request_merged"
RELEASE_PUBLISHED = "github.release_published"
MILESTONE_CLOSED = "github.milestone_closed"
SURVIVOR_HINT = (
    'no "Duplicate of #N" comment on it names the surviving issue in its repository; '
    "one written there moves the waiting customers to it"
)


_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+"
    r"(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)\b",
    re.IGNORECASE,
)


_REFERENCE = re.compile(r"(?<![\w/])(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)\b")


# GitHub's convention, which it turns into "marked this as a duplicate of": a comment opening
# with "Duplicate of #12" (or "Duplicate of owner/repo#12").
DUPLICATE_OF = re.compile(r"^\s*duplicate of\s+([\w.-]+/[\w.-]+)?#(\d+)\b", re.IGNORECASE)


def _issue_keys(pattern: re.Pattern[str], text: str, repo: str) -> tuple[str, ...]:
    found = [f"{match['repo'] or repo}#{match['number']}" for match in pattern.finditer(text)]
    return tuple(dict.fromkeys(found))


def ship_signal(event_type: str, payload: dict[str, Any]) -> ShipSignal | None:
    repo = as_text(as_object(payload.get("repository")).get("full_name"))
    if event_type == "pull_request.closed":
        pull = as_object(payload.get("pull_request"))
        if pull.get("merged") is not True:
            return None
        text = f"{as_text(pull.get('title'))}\n{as_text(pull.get('body'))}"
        keys = _issue_keys(_CLOSING, text, repo)
        ref = f"{repo} PR #{pull.get('number')}"
        return ShipSignal(PR_MERGED, "github", repo, ref, keys) if keys else None
    if event_type == "milestone.closed":
        milestone = as_object(payload.get("milestone"))
        if not milestone.get("number"):
            return None
        ref = f"{repo} milestone {as_text(milestone.get('title')) or milestone['number']}"
        return ShipSignal(
            MILESTONE_CLOSED, "github", repo, ref, version=milestone_version(milestone)
        )
    if event_type.startswith("issues."):
        return _closed_milestone_of(repo, payload)
    if event_type == "release.published":
        release = as_object(payload.get("release"))
        text = f"{as_text(release.get('name'))}\n{as_text(release.get('body'))}"
        keys = _issue_keys(_REFERENCE, text, repo)
        name = as_text(release.get("name")) or as_text(release.get("tag_name"))
        ref = f"{repo} release {name}"
        return ShipSignal(RELEASE_PUBLISHED, "github", repo, ref, keys) if keys else None
    return None


def milestone_version(milestone: dict[str, Any]) -> str:
    """How an AR's milestone is remembered, like a Jira fix version."""
    return f"milestone:{milestone.get('number')}"


def milestone_of(payload: dict[str, Any]) -> tuple[str, list[str]]:
    """The issue key and its milestone (as a fix version), from any GitHub issue event."""
    repo = as_text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
    milestone = issue.get("milestone")
    if not repo or not issue.get("number") or not isinstance(milestone, dict):
        return "", []
    return f"{repo}#{issue['number']}", [milestone_version(milestone)]


def _closed_milestone_of(repo: str, payload: dict[str, Any]) -> ShipSignal | None:
    """An issue event naming a milestone that is already closed: the milestone's close reached
    us first (deliveries come in any order), so for this AR it is the close."""
    key, _ = milestone_of(payload)
    milestone = as_object(as_object(payload.get("issue")).get("milestone"))
    if not key or milestone.get("state") != "closed":
        return None
    ref = f"{repo} milestone {as_text(milestone.get('title')) or milestone.get('number')}"
    return ShipSignal(MILESTONE_CLOSED, "github", repo, ref, (key,))


def _resolution(issue: dict[str, Any]) -> str:
    labels = {as_text(label.get("name")).lower() for label in objects_in(issue.get("labels"))}
    if "duplicate" in labels:
        return "Duplicate"
    reason = as_text(issue.get("state_reason"))
    named = {"not_planned": "Not planned", "completed": "Completed", "duplicate": "Duplicate"}
    return named.get(reason, "Closed")


def duplicate_of(repo: str, body: str) -> str:
    """The surviving issue a "Duplicate of #12" comment names (``owner/repo#12``), if any. One
    in another repository is not taken: the bridge writes waiting lists in its own only."""
    found = DUPLICATE_OF.match(body)
    if not found or (found[1] and found[1].lower() != repo.lower()):
        return ""
    return f"{repo}#{found[2]}"


def said_on_ar(event_type: str, payload: dict[str, Any]) -> list[ArEvent]:
    repo = as_text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
    if not repo or not issue.get("number") or issue.get("pull_request"):
        return []
    key = f"{repo}#{issue['number']}"
    author = as_text(as_object(payload.get("sender")).get("login"))
    if event_type == "issue_comment.created":
        comment = as_object(payload.get("comment"))
        said = as_text(comment.get("body")).strip()
        if not comment.get("id") or not said:
            return []
        login = as_text(as_object(comment.get("user")).get("login")) or author
        heard = [ArEvent("github", key, f"comment:{comment['id']}", COMMENT, login, said)]
        survivor = duplicate_of(repo, said)
        if survivor and issue.get("state") == "closed" and _resolution(issue) == "Duplicate":
            # Closed as a duplicate before the comment named the surviving issue.
            event_id = f"duplicate:{comment['id']}"
            heard.append(ArEvent("github", key, event_id, RESOLUTION, login, "Duplicate", survivor))
        return heard
    changed = as_text(issue.get("closed_at")) or as_text(issue.get("updated_at"))
    if event_type == "issues.closed":
        said = _resolution(issue)
        return [ArEvent("github", key, f"closed:{changed}", RESOLUTION, author, said)]
    if event_type == "issues.reopened":
        stamp = as_text(issue.get("updated_at"))
        return [ArEvent("github", key, f"reopened:{stamp}", STATUS, author, "Reopened")]
    if event_type in ("issues.assigned", "issues.unassigned"):
        assignee = as_text(as_object(payload.get("assignee")).get("login"))
        said = assignee if event_type == "issues.assigned" else f"unassigned {assignee}"
        stamp = as_text(issue.get("updated_at"))
        event_id = f"{event_type}:{assignee}:{stamp}"
        return [ArEvent("github", key, event_id, ASSIGNEE, author, said)]
    return []


def fix_eta(event_type: str, payload: dict[str, Any]) -> tuple[str, FixEta] | None:
    """The AR's key and its open milestone's due date (GitHub's fix version), if any."""
    repo = as_text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
    milestone = issue.get("milestone")
    if not event_type.startswith("issues.") or not repo or not issue.get("number"):
        return None
    if not isinstance(milestone, dict) or milestone.get("state") == "closed":
        return None
    day = day_of(milestone.get("due_on"))
    if day is None:
        return None
    key = f"{repo}#{issue['number']}"
    name = as_text(milestone.get("title")) or str(milestone.get("number"))
    return key, FixEta(f"github:{key}", name, day)


def identity_of(event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
    repo = as_text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
    if not repo or not issue.get("number") or issue.get("pull_request"):
        return None
    key = f"{repo}#{issue['number']}"
    if event_type == "issues.transferred":
        # Another repository and number: the GitHub connector writes in its own repository
        # only, so a transferred AR is not followed (its waiting list would land elsewhere).
        return None
    vendor_id = vendor_id_of(issue.get("id"))
    if not vendor_id:
        return None
    return ArIdentity(key, vendor_id, url=as_text(issue.get("html_url")))


def _content_id(event_type: str, payload: dict[str, Any], repo: str) -> str | None:
    """What the webhook and the listings both show: a release's tag, a merged PR's number, a
    comment's id, an issue's close time, the milestone an issue is in, a closed milestone; a
    reopen or an assignee change by the issue's change time (the issue event's time)."""
    issue = as_object(payload.get("issue"))
    number = issue.get("number")
    if event_type == "release.published":
        tag = as_text(as_object(payload.get("release")).get("tag_name"))
        return f"release.published:{repo}@{tag}" if tag else None
    if event_type == "pull_request.closed":
        pull = as_object(payload.get("pull_request"))
        merged = pull.get("merged") is True and pull.get("number")
        return f"pull_request.merged:{repo}#{pull['number']}" if merged else None
    if event_type == "issue_comment.created":
        comment = as_object(payload.get("comment")).get("id")
        return f"issue_comment.created:{repo}:{comment}" if comment else None
    if event_type == "issues.closed":
        closed = as_text(issue.get("closed_at"))
        return f"issues.closed:{repo}#{number}@{closed}" if number and closed else None
    if event_type == "issues.reopened":
        changed = as_text(issue.get("updated_at"))
        return f"issues.reopened:{repo}#{number}@{changed}" if number and changed else None
    if event_type in ("issues.assigned", "issues.unassigned"):
        changed = as_text(issue.get("updated_at"))
        login = as_text(as_object(payload.get("assignee")).get("login"))
        keyed = number and changed and login
        return f"{event_type}:{repo}#{number}:{login}@{changed}" if keyed else None
    if event_type == "issues.milestoned":
        milestone = as_object(payload.get("milestone") or issue.get("milestone")).get("number")
        return f"issues.milestoned:{repo}#{number}@{milestone}" if number and milestone else None
    if event_type == "milestone.closed":
        milestone = as_object(payload.get("milestone")).get("number")
        return f"milestone.closed:{repo}@{milestone}" if milestone else None
    return None


def content_key(event_type: str, payload: dict[str, Any]) -> str | None:
    repo = as_text(as_object(payload.get("repository")).get("full_name"))
    return _content_id(event_type, payload, repo) if repo else None


class GitHubEvents:
    """The ``TrackerEvents`` port for GitHub deliveries."""

    release_event = None  # a milestone's close names its issues when it comes
    signal_meanings: ClassVar[dict[str, str]] = {
        PR_MERGED: "fixed_in_code",
        RELEASE_PUBLISHED: "fix_available",
        MILESTONE_CLOSED: "fixed_in_code",
    }

    def read(self, event_type: str, payload: dict[str, Any]) -> TrackerReading:
        key, milestone = milestone_of(payload) if event_type.startswith("issues.") else ("", [])
        signal = ship_signal(event_type, payload)
        said = [
            replace(event, survivor_hint=SURVIVOR_HINT) if event.is_duplicate else event
            for event in said_on_ar(event_type, payload)
        ]
        return TrackerReading(
            ship=(signal,) if signal is not None else (),
            fix_versions=(key, tuple(milestone)),
            said=tuple(said),
            fix_eta=fix_eta(event_type, payload),
        )

    def identity(self, event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
        if not event_type.startswith(("issues.", "issue_comment.")):
            return None
        return identity_of(event_type, payload)

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return content_key(event_type, payload)

    def release_of(self, stored: dict[str, Any]) -> ShipSignal | None:
        """GitHub keeps no release of a version for later: a milestone's close names its
        issues when it comes (``ship_signal`` of an issue event in a closed milestone)."""
        return None

    def duplicate_named(self, key: str, stored_comment: dict[str, Any]) -> str:
        """The surviving issue an earlier "Duplicate of #N" comment on ``key`` names."""
        found = duplicate_of(
            key.rsplit("#", 1)[0], as_text(as_object(stored_comment.get("comment")).get("body"))
        )
        return found if found != key else ""

    def project_of(self, key: str) -> str:
        """``owner/repo``: the repository an issue key names."""
        return key.rsplit("#", 1)[0]
