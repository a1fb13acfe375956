"""What happened on the repository since a time, as the webhooks would have told it: releases
published and pull requests merged, newest first, each page through the rate budget."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import structlog
from github.PaginatedList import PaginatedList

from bridge.services.ports import MissedEvent

T = TypeVar("T")
log = structlog.get_logger(__name__)
# Per listing and run (300 releases, 300 closed PRs): what an outage long enough to push events
# further back than that left is not caught up, and the run says so in its log.
MAX_PAGES = 10


def stamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def pages(
    listing: PaginatedList[Any], call: Callable[[Callable[[], list[Any]]], list[Any]], size: int
) -> Iterator[dict[str, Any]]:
    for page in range(MAX_PAGES):
        items = call(lambda page=page: listing.get_page(page))  # type: ignore[misc]
        yield from (item.raw_data for item in items)
        if len(items) < size:
            return
    log.warning("github.catch_up.cut_off", pages=MAX_PAGES)


def missed_since(
    repo: Any, call: Callable[[Callable[[], Any]], Any], size: int, since: dt.datetime
) -> list[MissedEvent]:
    full_name = repo.full_name
    envelope = {"repository": {"full_name": full_name}}
    found: list[MissedEvent] = []
    for release in pages(repo.get_releases(), call, size):
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
    pulls = repo.get_pulls(state="closed", sort="updated", direction="desc")
    for pull in pages(pulls, call, size):
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
