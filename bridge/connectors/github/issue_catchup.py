"""What development did on the repository's linked ARs since a time, as GitHub's webhooks
would have told it: an AR closed (``issues.closed``, with who closed it), an AR put in a
milestone (``issues.milestoned``: its fix version, or its close if the milestone is closed),
a new comment (``issue_comment.created``), and milestones closed (``milestone.closed``);
reopens and assignee changes come from the issue events (``state_events``).

Listings with ``since`` (issues and comments updated since), each page one request from the
rate budget; a closed AR is read once more for ``closed_by``, which listings leave out and
which tells the bridge's own close from a developer's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bridge.connectors.github.catchup import Call, pages, stamp
from bridge.connectors.github.state_events import missed_state_changes
from bridge.services.ports import MissedEvent


def _numbers(full_name: str, keys: Sequence[str]) -> set[int]:
    prefix = f"{full_name}#"
    return {
        int(k[len(prefix) :]) for k in keys if k.startswith(prefix) and k[len(prefix) :].isdigit()
    }


def missed_on_issues(
    repo: Any, call: Call, since: dt.datetime, keys: Sequence[str]
) -> list[MissedEvent]:
    full_name = repo.full_name
    envelope = {"repository": {"full_name": full_name}}
    found = _closed_milestones(repo, call, since, envelope)
    numbers = _numbers(full_name, keys)
    if not numbers:
        return found
    after = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # as GitHub writes it
    listing = pages(
        repo, call, "issues", state="all", since=after, sort="updated", direction="desc"
    )
    changed = {
        issue["number"]: issue
        for issue in listing
        if issue.get("number") in numbers and not issue.get("pull_request")
    }
    for number, issue in changed.items():
        found.extend(_issue_events(repo, call, since, envelope, number, issue))
    if changed:
        found.extend(missed_state_changes(repo, call, since, set(changed)))
    comments = pages(repo, call, "issues/comments", sort="created", direction="asc", since=after)
    for comment in comments:
        number = str(comment.get("issue_url") or "").rsplit("/", 1)[-1]
        created = stamp(comment.get("created_at"))
        if not number.isdigit() or int(number) not in numbers or created is None:
            continue
        if created < since:
            continue  # an edit of an older comment: the webhook's "created" was for that one
        issue = changed.get(int(number)) or {"number": int(number)}
        payload = {
            **envelope,
            "action": "created",
            "issue": issue,
            "comment": comment,
            "sender": comment.get("user") or {},
        }
        key = f"{full_name}#{number}"
        found.append(MissedEvent("github", "issue_comment.created", key, payload, created))
    return sorted(found, key=lambda event: event.occurred_at)


def _issue_events(
    repo: Any,
    call: Call,
    since: dt.datetime,
    envelope: dict[str, Any],
    number: int,
    issue: dict[str, Any],
) -> list[MissedEvent]:
    key = f"{repo.full_name}#{number}"
    updated = stamp(issue.get("updated_at")) or since
    found = []
    closed = stamp(issue.get("closed_at"))
    if issue.get("state") == "closed" and closed is not None and closed >= since:
        full = call(lambda: repo.get_issue(number)).raw_data
        payload = {
            **envelope,
            "action": "closed",
            "issue": full,
            "sender": full.get("closed_by") or {},
        }
        found.append(MissedEvent("github", "issues.closed", key, payload, closed))
    milestone = issue.get("milestone")
    if isinstance(milestone, dict) and milestone.get("number"):
        payload = {**envelope, "action": "milestoned", "issue": issue, "milestone": milestone}
        found.append(MissedEvent("github", "issues.milestoned", key, payload, updated))
    return found


def _closed_milestones(
    repo: Any, call: Call, since: dt.datetime, envelope: dict[str, Any]
) -> list[MissedEvent]:
    listing = pages(repo, call, "milestones", state="closed", sort="due_on", direction="desc")
    found = []
    for milestone in listing:
        closed = stamp(milestone.get("closed_at"))
        if closed is None or closed < since:
            continue
        payload = {**envelope, "action": "closed", "milestone": milestone}
        key = f"{repo.full_name}@milestone:{milestone['number']}"
        found.append(MissedEvent("github", "milestone.closed", key, payload, closed))
    return found
