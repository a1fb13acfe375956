"""What a development event says about a fix: read from the vendor's webhook JSON, no I/O.

GitHub: a merged pull request closes the issues its title or body names with a closing keyword
(parsed here, so a PR into a release branch counts too, which GitHub itself would not close); a
published release fixes the issues its notes reference. Jira: an AR moving to a done-category
status with a fix version, or a released version that holds ARs.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any

from bridge.services.json_body import as_object, objects_in

PR_MERGED = "github.pull_request_merged"
RELEASE_PUBLISHED = "github.release_published"
MILESTONE_CLOSED = "github.milestone_closed"
VERSION_RELEASED = "jira.version_released"
ISSUE_DONE = "jira.issue_done"
# A helpdesk ticket marked for escalation that catch-up found (Zendesk's ticket event export,
# Freshdesk's tickets updated since).
MARKED_WHILE_DOWN = "ticket.marked_while_down"
# Freshdesk's reply rule names its event so (``{{triggered_event}}``).
CUSTOMER_REPLY = "{customer_reply}"
_TAG = re.compile(r"<[^>]*>")

_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+"
    r"(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)\b",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"(?<![\w/])(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)\b")


@dataclass(frozen=True)
class ShipSignal:
    """``keys`` are AR keys as the tracker names them (``owner/repo#12``, ``DEV-7``), or, for a
    released Jira version, empty with ``version`` set; ``ref`` names the release or the change."""

    signal: str
    system: str
    project: str
    ref: str
    keys: tuple[str, ...] = ()
    version: str = ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _issue_keys(pattern: re.Pattern[str], text: str, repo: str) -> tuple[str, ...]:
    found = [f"{match['repo'] or repo}#{match['number']}" for match in pattern.finditer(text)]
    return tuple(dict.fromkeys(found))


def from_github(event_type: str, payload: dict[str, Any]) -> ShipSignal | None:
    repo = _text(as_object(payload.get("repository")).get("full_name"))
    if event_type == "pull_request.closed":
        pull = as_object(payload.get("pull_request"))
        if pull.get("merged") is not True:
            return None
        text = f"{_text(pull.get('title'))}\n{_text(pull.get('body'))}"
        keys = _issue_keys(_CLOSING, text, repo)
        ref = f"{repo} PR #{pull.get('number')}"
        return ShipSignal(PR_MERGED, "github", repo, ref, keys) if keys else None
    if event_type == "milestone.closed":
        milestone = as_object(payload.get("milestone"))
        if not milestone.get("number"):
            return None
        ref = f"{repo} milestone {_text(milestone.get('title')) or milestone['number']}"
        return ShipSignal(
            MILESTONE_CLOSED, "github", repo, ref, version=milestone_version(milestone)
        )
    if event_type.startswith("issues."):
        return _closed_milestone_of(repo, payload)
    if event_type == "release.published":
        release = as_object(payload.get("release"))
        text = f"{_text(release.get('name'))}\n{_text(release.get('body'))}"
        keys = _issue_keys(_REFERENCE, text, repo)
        name = _text(release.get("name")) or _text(release.get("tag_name"))
        ref = f"{repo} release {name}"
        return ShipSignal(RELEASE_PUBLISHED, "github", repo, ref, keys) if keys else None
    return None


def milestone_version(milestone: dict[str, Any]) -> str:
    """How an AR's milestone is remembered, like a Jira fix version."""
    return f"milestone:{milestone.get('number')}"


def github_milestone(payload: dict[str, Any]) -> tuple[str, list[str]]:
    """The issue key and its milestone (as a fix version), from any GitHub issue event."""
    repo = _text(as_object(payload.get("repository")).get("full_name"))
    issue = as_object(payload.get("issue"))
    milestone = issue.get("milestone")
    if not repo or not issue.get("number") or not isinstance(milestone, dict):
        return "", []
    return f"{repo}#{issue['number']}", [milestone_version(milestone)]


def _closed_milestone_of(repo: str, payload: dict[str, Any]) -> ShipSignal | None:
    """An issue event naming a milestone that is already closed: the milestone's close reached
    us first (deliveries come in any order), so for this AR it is the close."""
    key, _ = github_milestone(payload)
    milestone = as_object(as_object(payload.get("issue")).get("milestone"))
    if not key or milestone.get("state") != "closed":
        return None
    ref = f"{repo} milestone {_text(milestone.get('title')) or milestone.get('number')}"
    return ShipSignal(MILESTONE_CLOSED, "github", repo, ref, (key,))


def from_jira(event_type: str, payload: dict[str, Any]) -> ShipSignal | None:
    if event_type == "jira:version_released":
        version = as_object(payload.get("version"))
        version_id = _text(str(version.get("id") or ""))
        if not version_id:
            return None
        project = str(version.get("projectId") or "")
        ref = f"version {_text(version.get('name')) or version_id}"
        return ShipSignal(VERSION_RELEASED, "jira", project, ref, version=version_id)
    if event_type.startswith("jira:issue_"):
        return _from_jira_issue(payload)
    return None


def _from_jira_issue(payload: dict[str, Any]) -> ShipSignal | None:
    issue = as_object(payload.get("issue"))
    key = _text(issue.get("key"))
    fields = as_object(issue.get("fields"))
    versions = objects_in(fields.get("fixVersions"))
    if not key or not versions:
        return None
    project = key.rsplit("-", 1)[0]
    released = [v for v in versions if v.get("released") is True]
    if released:
        # The version was released before this event reached us (webhooks arrive in any
        # order): for this AR it is the release.
        name = _text(released[-1].get("name")) or str(released[-1].get("id"))
        return ShipSignal(VERSION_RELEASED, "jira", project, f"version {name}", (key,))
    category = as_object(as_object(fields.get("status")).get("statusCategory")).get("key")
    if category != "done":
        return None
    names = ", ".join(_text(v.get("name")) for v in versions)
    return ShipSignal(ISSUE_DONE, "jira", project, f"{key} done in {names}", (key,))


def fix_versions(payload: dict[str, Any]) -> tuple[str, list[str]]:
    """The issue key and the ids of its fix versions, from any Jira issue event."""
    issue = as_object(payload.get("issue"))
    versions = objects_in(as_object(issue.get("fields")).get("fixVersions"))
    ids = [str(v["id"]) for v in versions if v.get("id")]
    return _text(issue.get("key")), ids


def content_delivery_id(source: str, event_type: str, payload: dict[str, Any]) -> str | None:
    """The inbox key of an event that catch-up may also find, derived from what it is about
    rather than the vendor's per-delivery id (which an API listing never shows): a webhook and
    its catch-up copy then collide in the inbox and act once. None for other events."""
    if source == "github":
        repo = _text(as_object(payload.get("repository")).get("full_name"))
        return _github_content_id(event_type, payload, repo) if repo else None
    if source == "jira":
        return _jira_content_id(event_type, payload)
    if source == "zendesk" and event_type == MARKED_WHILE_DOWN:
        # The audit that marked the ticket and its change: what only the export names.
        ticket = _text(payload.get("subject")).removeprefix("zen:ticket:")
        change = _text(payload.get("id")).removeprefix("export:")
        return f"{MARKED_WHILE_DOWN}:{ticket}:{change}" if ticket and change else None
    if source == "freshdesk":
        return _freshdesk_content_id(event_type, payload)
    if source == "zendesk" and event_type == "ticket.comment_added":
        # The event subscription's own id is not in the ticket event export; the comment's is.
        ticket = _text(payload.get("subject")).removeprefix("zen:ticket:")
        comment = str(as_object(as_object(payload.get("event")).get("comment")).get("id") or "")
        return f"ticket.comment_added:{ticket}:{comment}" if ticket and comment else None
    return None


def _freshdesk_content_id(event_type: str, payload: dict[str, Any]) -> str | None:
    """A customer's reply by its ticket and its text: the reply rule's body carries no
    conversation id (Freshdesk has no placeholder for one), the conversations listing the
    same text; markup and spacing, which the two render differently, are left out. A mark by
    its ticket and the entry: the listing shows the ticket's type now, not when it changed."""
    fields = payload.get("freshdesk_webhook")
    fields = fields if isinstance(fields, dict) else {}
    raw = fields.get("ticket_id")
    ticket = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not ticket:
        return None
    if event_type == MARKED_WHILE_DOWN:
        mark = _text(payload.get("marked"))
        return f"{MARKED_WHILE_DOWN}:{ticket}:{mark}" if mark else None
    if event_type == CUSTOMER_REPLY:
        text = " ".join(
            html.unescape(_TAG.sub(" ", _text(fields.get("ticket_latest_public_comment")))).split()
        )
        digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]
        return f"{CUSTOMER_REPLY}:{ticket}:{digest}" if text else None
    return None


def _github_content_id(event_type: str, payload: dict[str, Any], repo: str) -> str | None:
    """What the webhook and the listings both show: a release's tag, a merged PR's number, a
    comment's id, an issue's close time, the milestone an issue is in, a closed milestone; a
    reopen or an assignee change by the issue's change time (the issue event's time)."""
    issue = as_object(payload.get("issue"))
    number = issue.get("number")
    if event_type == "release.published":
        tag = _text(as_object(payload.get("release")).get("tag_name"))
        return f"release.published:{repo}@{tag}" if tag else None
    if event_type == "pull_request.closed":
        pull = as_object(payload.get("pull_request"))
        merged = pull.get("merged") is True and pull.get("number")
        return f"pull_request.merged:{repo}#{pull['number']}" if merged else None
    if event_type == "issue_comment.created":
        comment = as_object(payload.get("comment")).get("id")
        return f"issue_comment.created:{repo}:{comment}" if comment else None
    if event_type == "issues.closed":
        closed = _text(issue.get("closed_at"))
        return f"issues.closed:{repo}#{number}@{closed}" if number and closed else None
    if event_type == "issues.reopened":
        changed = _text(issue.get("updated_at"))
        return f"issues.reopened:{repo}#{number}@{changed}" if number and changed else None
    if event_type in ("issues.assigned", "issues.unassigned"):
        changed = _text(issue.get("updated_at"))
        login = _text(as_object(payload.get("assignee")).get("login"))
        keyed = number and changed and login
        return f"{event_type}:{repo}#{number}:{login}@{changed}" if keyed else None
    if event_type == "issues.milestoned":
        milestone = as_object(payload.get("milestone") or issue.get("milestone")).get("number")
        return f"issues.milestoned:{repo}#{number}@{milestone}" if number and milestone else None
    if event_type == "milestone.closed":
        milestone = as_object(payload.get("milestone")).get("number")
        return f"milestone.closed:{repo}@{milestone}" if milestone else None
    return None


def _jira_content_id(event_type: str, payload: dict[str, Any]) -> str | None:
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
