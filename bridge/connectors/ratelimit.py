"""Outbound rate limits shared by every worker, so the bridge never causes a 429 storm.

Each connector class names its vendor's budgets (``budgets``: GitHub's 80 content-creating
requests a minute and 500 an hour, Slack's message a second per channel), and ``rate_limits`` in
bridge.yaml lowers or raises any of them. Workers take a slot right before calling (a slot
held through other work arrives late into the vendor's window); with ``BRIDGE_REDIS_URL`` set the
budget lives in Redis and is shared across machines, otherwise in this process's memory.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bridge.services.ports import TransientConnectorError

MAX_WAIT_SECONDS = 60.0
# A request reaches the vendor some time after its slot was taken, later still from a busy
# thread (the downtime fault proof saw two Slack posts to one channel 0.88 s apart at Slack from
# slots a second apart), and at the latest when it is answered. So each of this process's
# requests counts against its budget from its slot until a window after its answer: a full
# budget's next request waits for the oldest answer to leave the window, not for a guess. A
# window the shared store (Redis) says is full of other workers' requests, whose answers this
# process does not know, is used again a quarter second after it frees.
SAFETY_MARGIN = 0.25
ANSWERED_MARGIN = 0.02  # our clock's and the vendor's granularity
POLL_SECONDS = 0.05  # a request in flight may be answered while we wait
REMEMBERED_SLOTS = 10_000


@dataclass
class Slot:
    """One request's place in a budget: when it was taken and, once known, when its request
    was answered (``RateGate.slot`` notes it)."""

    taken_at: float
    answered_at: float | None = None

    def counts_at(self, now: float, window: float) -> bool:
        """Whether the vendor may still count the request in a window ending ``now``."""
        if self.answered_at is None:
            return True
        return self.answered_at + ANSWERED_MARGIN > now - window


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
        chosen = {} if rates is None else rates  # each connector names its own (``budgets``)
        self._items: dict[str, list[RateLimitItem]] = {
            name: parse_many(rate) for name, rate in chosen.items()
        }
        self._sleep = sleep
        self._max_wait = max_wait
        # Per budget and scope, this process's latest slots, newest last.
        self._slots: dict[tuple[str, ...], deque[Slot]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, redis_url: str | None, **kwargs: object) -> RateGate:
        uri = redis_url if redis_url else "memory://"
        return cls(storage_from_string(uri), **kwargs)  # type: ignore[arg-type]

    def set_rate(self, budget: str, rate: str) -> None:
        """Replace a budget: one or more rates separated by ``;`` ("78/minute;2/second")."""
        self._items[budget] = parse_many(rate)

    @contextmanager
    def slot(self, budget: str, *scope: str) -> Iterator[Slot]:
        """A slot for one request, noted as answered when the block ends (raised or not: a
        request that failed was still sent)."""
        taken = self._take(budget, scope)
        try:
            yield taken
        finally:
            self.answered(taken)

    @staticmethod
    def answered(slot: Slot) -> None:
        if slot.answered_at is None:
            slot.answered_at = time.time()

    def take(self, budget: str, *scope: str) -> Slot:
        """A slot in ``budget`` for a caller that does not say when its request is answered:
        taken as answered a margin after (``slot`` knows better)."""
        taken = self._take(budget, scope)
        taken.answered_at = taken.taken_at + SAFETY_MARGIN - ANSWERED_MARGIN
        return taken

    def _take(self, budget: str, scope: tuple[str, ...]) -> Slot:
        items = self._items.get(budget)
        if not items:
            return Slot(time.time())
        key = (budget, *scope)
        deadline = time.monotonic() + self._max_wait
        while True:
            with self._lock:  # threads of one process decide one at a time
                slots = self._slots.setdefault(
                    key, deque(maxlen=min(max(item.amount for item in items), REMEMBERED_SLOTS))
                )
                early = self._own_wait(items, slots)
                if early <= 0 and self._take_all(items, budget, scope):
                    taken = Slot(time.time())
                    slots.append(taken)
                    return taken
            if early > 0:
                self._wait_or_give_up(budget, early, deadline)
                self._sleep(min(early, POLL_SECONDS))
                continue
            full = [i for i in items if not self._limiter.test(i, budget, *scope)]
            resets = [self._limiter.get_window_stats(i, budget, *scope)[0] for i in full]
            wait = max(max(resets, default=0.0) - time.time(), 0.01)
            self._wait_or_give_up(budget, wait, deadline)
            self._sleep(min(wait, 1.0) + SAFETY_MARGIN)

    @staticmethod
    def _own_wait(items: list[RateLimitItem], slots: deque[Slot]) -> float:
        """How long until this process's own requests leave room in every window (0: now)."""
        now, wait = time.time(), 0.0
        for item in items:
            if len(slots) < item.amount:
                continue  # fewer requests than the budget allows were ever sent
            window = float(item.get_expiry())
            counted = [slot for slot in slots if slot.counts_at(now, window)]
            if len(counted) < item.amount:
                continue
            # Room comes when enough of the counted requests leave the window: the earliest
            # answers go first; one still in flight may be answered meanwhile.
            leaving = sorted(
                slot.answered_at + ANSWERED_MARGIN + window - now
                for slot in counted
                if slot.answered_at is not None
            )
            need = len(counted) - item.amount + 1
            wait = max(wait, leaving[need - 1] if len(leaving) >= need else POLL_SECONDS)
        return wait

    def _wait_or_give_up(self, budget: str, wait: float, deadline: float) -> None:
        if time.monotonic() + wait > deadline:
            system = budget.split(":", 1)[0]
            msg = f"our own rate budget {budget} is used up; trying again later"
            raise TransientConnectorError(system, msg, retry_after=wait)

    def _take_all(self, items: list[RateLimitItem], budget: str, scope: tuple[str, ...]) -> bool:
        if not all(self._limiter.test(item, budget, *scope) for item in items):
            return False
        return all([self._limiter.hit(item, budget, *scope) for item in items])
