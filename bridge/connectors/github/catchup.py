"""What happened on the repository since a time, as the webhooks would have told it: releases
published and pull requests merged, newest first, each page through the rate budget.

Listings are read as GitHub's JSON pages of 100 (its largest), one request each: PyGithub's
listed objects would each fetch themselves again when their ``raw_data`` is read (one more
request per item, outside the budget).

A run reads at most ``MAX_PAGES`` of a listing. Where GitHub lists oldest first from the
watermark (changed issues, comments), a listing stopped there moves the watermark only to the
time of its last item (``Found.read_until``, answered as ``CutOff``) and the next run, a minute
later, reads on. Releases, closed pull requests, closed milestones and the issue events are
listed only newest first (GitHub takes no ``since`` for them): one stopped before the watermark
left older items no later run reaches, and the run says so (``Found.unread``)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import structlog

from bridge.services.ports import CutOff, MissedEvent

log = structlog.get_logger(__name__)
PAGE = 100  # GitHub's largest page
# Per listing and run (2,000 releases, closed PRs, changed issues or comments).
MAX_PAGES = 20
Call = Callable[[Callable[[], Any]], Any]


def stamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


class Listing:
    """The items of the repository's listing ``path`` ("issues"), page after page; once read
    through, ``cut_off`` says whether it stopped at ``MAX_PAGES`` with more left.

    A listing ``ordered_by`` a time, oldest first, reads on past the cap to the end of the
    second its last page ended in: the next run lists from that second again, and a bulk change
    sharing one second over more than the cap would otherwise fill every run's pages with it."""

    def __init__(self, repo: Any, call: Call, path: str, ordered_by: str = "", **query: str):
        self._repo, self._call, self.path, self._query = repo, call, path, query
        self._ordered_by = ordered_by
        self.cut_off = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        url = f"{self._repo.url}/{self.path}"
        cap: dt.datetime | None = None
        for page in itertools.count(1):
            parameters = {**self._query, "per_page": PAGE, "page": page}
            _, items = self._call(
                lambda parameters=parameters: self._repo.requester.requestJsonAndCheck(
                    "GET", url, parameters=parameters
                )
            )
            yield from items
            if len(items) < PAGE:
                return
            last = stamp(items[-1].get(self._ordered_by)) if self._ordered_by else None
            if page == MAX_PAGES:
                cap = last
            if page >= MAX_PAGES and (cap is None or last is None or last > cap):
                break
        self.cut_off = True
        log.warning("github.catch_up.cut_off", listing=self.path, pages=MAX_PAGES)


@dataclass
class Found:
    """One run's events; ``read_until``: the earliest time an oldest-first listing stopped at
    (None: every such listing read to the present); ``unread``: what newest-first listings
    stopped at their cap left unread, a sentence each."""

    events: list[MissedEvent] = field(default_factory=list)
    read_until: dt.datetime | None = None
    unread: list[str] = field(default_factory=list)

    def stopped_at(self, at: dt.datetime) -> None:
        self.read_until = at if self.read_until is None else min(self.read_until, at)

    def left_unread(self, listing: Listing, oldest: dt.datetime | None, what: str) -> None:
        """A newest-first listing stopped at its cap before the watermark: ``what`` it read
        down to ``oldest`` only, and no later run reads further down."""
        reached = f" before {oldest:%Y-%m-%d %H:%M:%S}Z" if oldest is not None else ""
        listed = MAX_PAGES * PAGE
        said = f"GitHub {listing.path}: {what}{reached} not caught up (over {listed} listed)"
        self.unread.append(said)
        log.warning("github.catch_up.unread", listing=listing.path, reached=reached.strip())

    def answer(self) -> list[MissedEvent] | CutOff:
        events = sorted(self.events, key=lambda event: event.occurred_at)
        if self.read_until is None and not self.unread:
            return events
        read_until = self.read_until or dt.datetime.now(dt.UTC)
        return CutOff(events, read_until, tuple(self.unread))


def missed_since(repo: Any, call: Call, since: dt.datetime, found: Found) -> None:
    full_name = repo.full_name
    envelope = {"repository": {"full_name": full_name}}
    releases = Listing(repo, call, "releases")
    oldest: dt.datetime | None = None
    for release in releases:
        published = stamp(release.get("published_at"))
        if release.get("draft") or published is None:
            continue
        oldest = published
        if published < since:
            break
        found.events.append(
            MissedEvent(
                "github",
                "release.published",
                f"{full_name}@{release['tag_name']}",
                {**envelope, "action": "published", "release": release},
                published,
            )
        )
    if releases.cut_off:
        found.left_unread(releases, oldest, "releases published")
    pulls = Listing(repo, call, "pulls", state="closed", sort="updated", direction="desc")
    oldest = None
    for pull in pulls:
        updated = oldest = stamp(pull.get("updated_at"))
        if updated is None or updated < since:
            break
        merged_at = stamp(pull.get("merged_at"))
        if merged_at is None:
            continue
        # The pulls listing leaves out ``merged``, which the webhook's body carries.
        shown = {**pull, "merged": True}
        found.events.append(
            MissedEvent(
                "github",
                "pull_request.closed",
                f"{full_name}#{pull['number']}",
                {**envelope, "action": "closed", "number": pull["number"], "pull_request": shown},
                merged_at,
            )
        )
    if pulls.cut_off:
        found.left_unread(pulls, oldest, "pull requests merged and last changed")
