"""What development did on the repository's linked ARs since a time, as GitHub's webhooks
would have told it: an AR closed (``issues.closed``, with who closed it), an AR put in a
milestone (``issues.milestoned``: its fix version, or its close if the milestone is closed),
a new comment (``issue_comment.created``), and milestones closed (``milestone.closed``);
reopens and assignee changes come from the issue events (``state_events``).

Listings with ``since`` (issues and comments updated since), oldest first, each page one
request from the rate budget; a closed AR is read once more for ``closed_by``, which listings
leave out and which tells the bridge's own close from a developer's. A listing stopped at its
cap stops the run at the time of its last item (``Found.stopped_at``). An AR closed before
that time and changed again after it is listed only by a later run, which asks from past its
close: the cut-off run finds that close in the issue events, which it asks about every linked
AR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bridge.connectors.github.catchup import Call, Found, Listing, stamp
from bridge.connectors.github.state_events import missed_state_changes
from bridge.services.ports import MissedEvent


def _numbers(full_name: str, keys: Sequence[str]) -> set[int]:
    prefix = f"{full_name}#"
    return {
        int(k[len(prefix) :]) for k in keys if k.startswith(prefix) and k[len(prefix) :].isdigit()
    }


def missed_on_issues(
    repo: Any, call: Call, since: dt.datetime, keys: Sequence[str], found: Found
) -> None:
    full_name = repo.full_name
    envelope = {"repository": {"full_name": full_name}}
    found.events.extend(_closed_milestones(repo, call, since, envelope, found))
    numbers = _numbers(full_name, keys)
    if not numbers:
        return
    after = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # as GitHub writes it
    listing = Listing(
        repo,
        call,
        "issues",
        ordered_by="updated_at",
        state="all",
        since=after,
        sort="updated",
        direction="asc",
    )
    listed = list(listing)
    changed = {
        issue["number"]: issue
        for issue in listed
        if issue.get("number") in numbers and not issue.get("pull_request")
    }
    last = stamp(listed[-1].get("updated_at")) if listed else None
    if listing.cut_off and last is not None:
        found.stopped_at(last)
    for number, issue in changed.items():
        found.events.extend(_issue_events(repo, call, since, envelope, number, issue))
    if changed or listing.cut_off:
        # Cut off, a linked AR not listed yet may have changed before the stop and again
        # after it: the issue events name it, whatever it was last updated.
        asked = numbers if listing.cut_off else set(changed)
        state = missed_state_changes(repo, call, since, asked, found)
        for number, issue in state.closed.items():
            if number not in changed:
                found.events.extend(_issue_events(repo, call, since, envelope, number, issue))
    comments = Listing(
        repo,
        call,
        "issues/comments",
        ordered_by="created_at",
        sort="created",
        direction="asc",
        since=after,
    )
    created: dt.datetime | None = None
    for comment in comments:
        number = str(comment.get("issue_url") or "").rsplit("/", 1)[-1]
        created = stamp(comment.get("created_at")) or created
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
        found.events.append(MissedEvent("github", "issue_comment.created", key, payload, created))
    if comments.cut_off and created is not None:
        found.stopped_at(created)


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
    repo: Any, call: Call, since: dt.datetime, envelope: dict[str, Any], found: Found
) -> list[MissedEvent]:
    """Every closed milestone (GitHub sorts them by due date, not by close): past the cap, one
    closed since may be among those not read."""
    listing = Listing(repo, call, "milestones", state="closed", sort="due_on", direction="desc")
    closed_since = []
    for milestone in listing:
        closed = stamp(milestone.get("closed_at"))
        if closed is None or closed < since:
            continue
        payload = {**envelope, "action": "closed", "milestone": milestone}
        key = f"{repo.full_name}@milestone:{milestone['number']}"
        closed_since.append(MissedEvent("github", "milestone.closed", key, payload, closed))
    if listing.cut_off:
        found.left_unread(listing, None, "milestones closed that are due earlier than those read")
    return closed_since
