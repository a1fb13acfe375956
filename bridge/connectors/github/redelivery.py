"""Deliveries of the bridge's own repository webhook that failed while it was down, redelivered:
GitHub never retries a failed delivery itself, but lists a hook's deliveries (newest first,
paged by a cursor in the ``Link`` header) and sends one again on request. The redelivered
webhook reaches the receiver like any other and is keyed as the first one would have been, so
it acts once.

A delivery is redelivered when its first attempt fell in the window (since the watermark) and no
attempt of it (same ``guid``) succeeded; a redelivery that failed too is tried again while its
first attempt is still in the window, and never after, so one the bridge refuses for good (a bad
signature) is not sent round for ever. GitHub keeps deliveries for redelivery three days: a
bridge down longer catches up by listing instead (``REDELIVERY_WINDOW``), and so does a run whose
deliveries since the watermark are more than ``MAX_PAGES`` pages (listed newest first, the
oldest would be left unread)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import structlog
from requests.utils import parse_header_links

from bridge.connectors.github.catchup import MAX_PAGES, PAGE, Call, stamp
from bridge.services.ports import PermanentConnectorError

log = structlog.get_logger(__name__)
REDELIVERY_WINDOW = dt.timedelta(days=3)  # GitHub redelivers deliveries of the past 3 days


def _next_cursor(headers: dict[str, Any]) -> str | None:
    link = next((value for name, value in headers.items() if name.lower() == "link"), "")
    for found in parse_header_links(str(link or "")):
        if found.get("rel") == "next":
            cursor = parse_qs(urlsplit(found.get("url", "")).query).get("cursor")
            return cursor[0] if cursor else None
    return None


class Deliveries:
    """The hook's deliveries since ``since``, newest first, a page (one request) at a time;
    once read through, ``reached_since`` says whether they went back that far (not stopped at
    ``MAX_PAGES``)."""

    def __init__(self, repo: Any, call: Call, hook_id: int, since: dt.datetime) -> None:
        self._repo, self._call, self.hook_id, self._since = repo, call, hook_id, since
        self.reached_since = True

    def __iter__(self) -> Iterator[dict[str, Any]]:
        url = f"{self._repo.url}/hooks/{self.hook_id}/deliveries"
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            parameters: dict[str, Any] = {"per_page": PAGE}
            if cursor:
                parameters["cursor"] = cursor
            headers, items = self._call(
                lambda parameters=parameters: self._repo.requester.requestJsonAndCheck(
                    "GET", url, parameters=parameters
                )
            )
            for item in items:
                delivered = stamp(item.get("delivered_at"))
                if delivered is not None and delivered < self._since:
                    return
                yield item
            cursor = _next_cursor(headers or {})
            if not cursor or not items:
                return
        self.reached_since = False
        log.warning("github.redelivery.cut_off", hook=self.hook_id, pages=MAX_PAGES)


def _succeeded(delivery: dict[str, Any]) -> bool:
    code = delivery.get("status_code")
    return isinstance(code, int) and 200 <= code < 300


def to_redeliver(listed: list[dict[str, Any]]) -> list[int]:
    """The id of the newest attempt of each delivery whose first attempt is listed and none
    of whose attempts succeeded, oldest first."""
    by_guid: dict[str, list[dict[str, Any]]] = {}
    for delivery in listed:
        by_guid.setdefault(str(delivery.get("guid") or delivery.get("id")), []).append(delivery)
    chosen = []
    for attempts in by_guid.values():
        first_in_window = any(not attempt.get("redelivery") for attempt in attempts)
        if not first_in_window or any(_succeeded(attempt) for attempt in attempts):
            continue
        chosen.append(max(int(attempt["id"]) for attempt in attempts))
    return sorted(chosen)


def redeliver_failed(repo: Any, call: Call, write: Call, hook_id: int, since: dt.datetime) -> bool:
    """Ask GitHub to send again each delivery that failed since ``since``; whether that was
    all of them (False: more deliveries than ``MAX_PAGES`` since, the oldest not read)."""
    listed = Deliveries(repo, call, hook_id, since)
    failed = to_redeliver(list(listed))
    asked = 0
    for delivery_id in failed:
        url = f"{repo.url}/hooks/{hook_id}/deliveries/{delivery_id}/attempts"
        try:
            write(lambda url=url: repo.requester.requestJsonAndCheck("POST", url))
        except PermanentConnectorError as exc:  # one GitHub will not send again (too old)
            log.warning("github.redelivery.refused", delivery=delivery_id, error=exc.detail)
            continue
        asked += 1
    log.info("github.redelivery.asked", hook=hook_id, failed=len(failed), redelivered=asked)
    return listed.reached_since
