"""Outbound rate limits shared by every worker, so the bridge never causes a 429 storm.

Each vendor has named budgets (GitHub: 80 content-creating requests a minute and 500 an hour;
Slack: about one message a second per channel). Workers take a slot right before calling (a slot
held through other work arrives late into the vendor's window); with ``BRIDGE_REDIS_URL`` set the
budget lives in Redis and is shared across machines, otherwise in this process's memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bridge.services.ports import TransientConnectorError

DEFAULT_RATES: dict[str, str] = {
    # GitHub allows 80 content-creating requests a minute and 500 an hour, and counts every
    # write (POST, PATCH, PUT, DELETE) against them. Our windows are a second longer than
    # GitHub's, so a slot we reuse has left GitHub's window too if its request arrived within
    # a second of taking the slot; two stay spare.
    "github:content": "78 per 61 seconds; 498 per 3601 seconds",
    "github:requests": "5000/hour",
    "jira:requests": "10/second",
    "slack:channel": "1/second",
    "slack:requests": "50/minute",
    "zendesk:requests": "700/minute",
    "freshdesk:requests": "200/minute",
    "email:messages": "30/minute",
}
MAX_WAIT_SECONDS = 60.0
# A request reaches the vendor a little after its slot was taken, later still from a busy
# thread: the downtime fault proof saw two Slack posts to one channel 0.88 s apart at Slack
# from slots a second apart. A quarter second more before a slot of a full window is used
# again keeps them a second apart, whether the taker waited for it or came just as it freed
# (Jira's eleventh request in a second, sent as the first slot expired, met a 429).
SAFETY_MARGIN = 0.25


class RateGate:
    """Blocks until a slot is free in the named budget, or gives up as a transient error."""

    def __init__(
        self,
        storage: Storage,
        rates: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        chosen = DEFAULT_RATES if rates is None else rates
        self._items: dict[str, list[RateLimitItem]] = {
            name: parse_many(rate) for name, rate in chosen.items()
        }
        self._sleep = sleep
        self._max_wait = max_wait
        # Per budget and scope, when a window this process filled may be used again: its
        # oldest slot's expiry plus the margin (this process's own view; the storage's window
        # still counts every process).
        self._reopens: dict[tuple[str, ...], float] = {}

    @classmethod
    def from_url(cls, redis_url: str | None, **kwargs: object) -> RateGate:
        uri = redis_url if redis_url else "memory://"
        return cls(storage_from_string(uri), **kwargs)  # type: ignore[arg-type]

    def set_rate(self, budget: str, rate: str) -> None:
        """Replace a budget: one or more rates separated by ``;`` ("78/minute;2/second")."""
        self._items[budget] = parse_many(rate)

    def take(self, budget: str, *scope: str) -> None:
        items = self._items.get(budget)
        if not items:
            return
        deadline = time.monotonic() + self._max_wait
        while True:
            early = self._reopens.get((budget, *scope), 0.0) - time.time()
            if early > 0:
                self._wait_or_give_up(budget, early, deadline)
                self._sleep(early)
                continue
            if self._take_all(items, budget, scope):
                self._note_full(items, budget, scope)
                return
            full = [i for i in items if not self._limiter.test(i, budget, *scope)]
            resets = [self._limiter.get_window_stats(i, budget, *scope)[0] for i in full]
            wait = max(max(resets, default=0.0) - time.time(), 0.01)
            self._wait_or_give_up(budget, wait, deadline)
            self._sleep(min(wait, 1.0) + SAFETY_MARGIN)

    def _wait_or_give_up(self, budget: str, wait: float, deadline: float) -> None:
        if time.monotonic() + wait > deadline:
            system = budget.split(":", 1)[0]
            msg = f"our own rate budget {budget} is used up; trying again later"
            raise TransientConnectorError(system, msg, retry_after=wait)

    def _note_full(self, items: list[RateLimitItem], budget: str, scope: tuple[str, ...]) -> None:
        """The slot just taken filled a window: none of it is used again before the margin."""
        reopens = [
            reset + SAFETY_MARGIN
            for reset, remaining in (
                self._limiter.get_window_stats(item, budget, *scope) for item in items
            )
            if remaining <= 0
        ]
        if reopens:
            self._reopens[(budget, *scope)] = max(reopens)

    def _take_all(self, items: list[RateLimitItem], budget: str, scope: tuple[str, ...]) -> bool:
        if not all(self._limiter.test(item, budget, *scope) for item in items):
            return False
        return all([self._limiter.hit(item, budget, *scope) for item in items])
