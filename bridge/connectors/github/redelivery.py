"""Deliveries of the bridge's own repository webhook that failed while it was down, redelivered:
GitHub never retries a failed delivery itself, but lists a hook's deliveries (newest first,
paged by a cursor in the ``Link`` header) and sends one again on request. The redelivered
webhook reaches the receiver like any other and is keyed as the first one would have been, so
it acts once.

A delivery none of whose attempts (same ``guid``) succeeded is redelivered when its only attempt
fell in the window (since the watermark), or when GitHub's latest redelivery of it got no answer
(status 0: GitHub could not connect) or a 5xx; one the bridge refused on purpose (a 4xx, such as
a bad signature) is redelivered once, never sent round for ever. A run that asked for
redeliveries does not move the watermark (``Outcome.ASKED``): the next run, a minute later,
lists the same deliveries and sees whether they arrived. When a redelivery could not reach the
bridge either, the run lists the repository as well (``Outcome.LIST``), so nothing waits on a
webhook that cannot arrive (the inbox keys both copies alike). GitHub keeps deliveries for
redelivery three days: a bridge down longer catches up by listing instead
(``REDELIVERY_WINDOW``), and so does a run whose deliveries since the watermark are more than
``MAX_PAGES`` pages (listed newest first, the oldest would be left unread)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import structlog
from requests.utils import parse_header_links

from bridge.connectors.github.catchup import MAX_PAGES, PAGE, Call, stamp
from bridge.services.ports import PermanentConnectorError

log = structlog.get_logger(__name__)
REDELIVERY_WINDOW = dt.timedelta(days=3)  # GitHub redelivers deliveries of the past 3 days


class Outcome(enum.Enum):
    NOTHING_MISSED = "every delivery since the watermark arrived"
    ASKED = "redeliveries asked for; the next run sees whether they arrived"
    LIST = "list the repository too"


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


def _unanswered(delivery: dict[str, Any]) -> bool:
    """GitHub could not connect (status 0) or the bridge failed (5xx): worth trying again,
    unlike a 4xx the bridge answered on purpose."""
    code = delivery.get("status_code")
    return not isinstance(code, int) or code == 0 or code >= 500


def _attempts_by_guid(listed: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    by_guid: dict[str, list[dict[str, Any]]] = {}
    for delivery in listed:
        by_guid.setdefault(str(delivery.get("guid") or delivery.get("id")), []).append(delivery)
    return list(by_guid.values())


def _newest(attempts: list[dict[str, Any]]) -> dict[str, Any]:
    return max(attempts, key=lambda attempt: int(attempt["id"]))


def to_redeliver(listed: list[dict[str, Any]]) -> list[int]:
    """The id of the newest attempt of each delivery to send again, oldest first: none of its
    attempts succeeded, and either it was never redelivered and its attempt is listed, or its
    latest redelivery went unanswered."""
    chosen = []
    for attempts in _attempts_by_guid(listed):
        if any(_succeeded(attempt) for attempt in attempts):
            continue
        newest = _newest(attempts)
        redelivered = any(attempt.get("redelivery") for attempt in attempts)
        if (not redelivered) or (newest.get("redelivery") and _unanswered(newest)):
            chosen.append(int(newest["id"]))
    return sorted(chosen)


def still_unreachable(listed: list[dict[str, Any]]) -> bool:
    """Whether a redelivery GitHub already made could not connect to the bridge, as the newest
    attempt of its delivery: asking for another may not be enough."""
    for attempts in _attempts_by_guid(listed):
        newest = _newest(attempts)
        if newest.get("redelivery") and newest.get("status_code") in (0, None):
            return True
    return False


def redeliver_failed(
    repo: Any, call: Call, write: Call, hook_id: int, since: dt.datetime
) -> Outcome:
    """Ask GitHub to send again each delivery that failed since ``since``, and say what the
    run is to do next."""
    deliveries = Deliveries(repo, call, hook_id, since)
    listed = list(deliveries)
    failed = to_redeliver(listed)
    asked = 0
    for delivery_id in failed:
        url = f"{repo.url}/hooks/{hook_id}/deliveries/{delivery_id}/attempts"
        try:
            write(lambda url=url: repo.requester.requestJsonAndCheck("POST", url))
        except PermanentConnectorError as exc:  # one GitHub will not send again (too old)
            log.warning("github.redelivery.refused", delivery=delivery_id, error=exc.detail)
            continue
        asked += 1
    outcome = Outcome.ASKED if asked else Outcome.NOTHING_MISSED
    if not deliveries.reached_since or still_unreachable(listed):
        outcome = Outcome.LIST
    log.info(
        "github.redelivery.asked",
        hook=hook_id,
        failed=len(failed),
        redelivered=asked,
        outcome=outcome.name,
    )
    return outcome
