"""What happened on the repository since a time, as the webhooks would have told it: releases
published and pull requests merged, newest first, each page through the rate budget.

Listings are read as GitHub's JSON pages of 100 (its largest), one request each: PyGithub's
listed objects would each fetch themselves again when their ``raw_data`` is read (one more
request per item, outside the budget)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import structlog

from bridge.services.ports import MissedEvent

log = structlog.get_logger(__name__)
PAGE = 100  # GitHub's largest page
# Per listing and run (2,000 releases, closed PRs, changed issues or comments): what an outage
# long enough to push events further back than that left is not caught up, and the run says so
# in its log.
MAX_PAGES = 20
Call = Callable[[Callable[[], Any]], Any]


def stamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def pages(repo: Any, call: Call, path: str, **query: str) -> Iterator[dict[str, Any]]:
    """The items of the repository's listing ``path`` ("issues"), page after page."""
    url = f"{repo.url}/{path}"
    for page in range(1, MAX_PAGES + 1):
        parameters = {**query, "per_page": PAGE, "page": page}
        _, items = call(
            lambda parameters=parameters: repo.requester.requestJsonAndCheck(
                "GET", url, parameters=parameters
            )
        )
        yield from items
        if len(items) < PAGE:
            return
    log.warning("github.catch_up.cut_off", listing=path, pages=MAX_PAGES)


def missed_since(repo: Any, call: Call, since: dt.datetime) -> list[MissedEvent]:
    full_name = repo.full_name
    envelope = {"repository": {"full_name": full_name}}
    found: list[MissedEvent] = []
    for release in pages(repo, call, "releases"):
        published = stamp(release.get("published_at"))
        if release.get("draft") or published is None:
            continue
        if published < since:
            break
        found.append(
            MissedEvent(
                "github",
                "release.published",
                f"{full_name}@{release['tag_name']}",
                {**envelope, "action": "published", "release": release},
                published,
            )
        )
    pulls = pages(repo, call, "pulls", state="closed", sort="updated", direction="desc")
    for pull in pulls:
        updated = stamp(pull.get("updated_at"))
        if updated is None or updated < since:
            break
        merged_at = stamp(pull.get("merged_at"))
        if merged_at is None:
            continue
        # The pulls listing leaves out ``merged``, which the webhook's body carries.
        shown = {**pull, "merged": True}
        found.append(
            MissedEvent(
                "github",
                "pull_request.closed",
                f"{full_name}#{pull['number']}",
                {**envelope, "action": "closed", "number": pull["number"], "pull_request": shown},
                merged_at,
            )
        )
    return found
