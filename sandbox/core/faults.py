"""Faults a test or demo asks for, and the vendors' own rate limits (all off unless asked)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import Any

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


@dataclass
class Fault:
    """One injected misbehaviour for the requests whose "METHOD /path" matches `route`.

    `status` answers with that HTTP status in the vendor's error shape (429 carries
    `Retry-After: retry_after` and the vendor's rate-limit headers). `latency` delays the
    answer by that many seconds; a latency longer than the client's timeout is a timeout.
    `hold` lets the request take effect and then holds its answer that many seconds: the
    vendor did the work but the caller has not heard yet (the window a crash test kills in).
    `times` limits how many requests the fault hits; None keeps it until cleared.
    `message` replaces the error's wording (a vendor that tells its refusals apart by it).
    `reset` answers as the vendor does when its hourly (primary) quota is spent, the window
    resetting in that many seconds (GitHub: 403, `x-ratelimit-remaining: 0`, no Retry-After).
    """

    route: str = "*"
    status: int | None = None
    retry_after: int | None = None
    latency: float = 0.0
    hold: float = 0.0
    times: int | None = None
    reset: int | None = None
    message: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        fields = ("route", "status", "retry_after", "latency", "hold", "times", "reset", "message")
        return cls(**{k: data[k] for k in fields if k in data})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    """Faults currently armed on one vendor server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.stopping = threading.Event()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def armed(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str) -> list[Fault]:
        """The faults hitting this request, spending one use of each counted fault."""
        target = f"{method.upper()} {path}"
        hits = []
        with self._lock:
            for fault in list(self._faults):
                if not fnmatchcase(target, fault.route) and not fnmatchcase(path, fault.route):
                    continue
                hits.append(fault)
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
        return hits

    def wait(self, seconds: float) -> None:
        """Sleep that ends early when the sandbox stops, so shutdown never hangs."""
        if seconds > 0:
            self.stopping.wait(seconds)


@dataclass(frozen=True)
class LimitHit:
    limit: str
    retry_after: int


class VendorLimits:
    """Named rate limits in `limits` notation ("1/second", "80/minute"), off until set."""

    def __init__(self, defaults: dict[str, str]) -> None:
        self.defaults = dict(defaults)
        self._active: dict[str, str] = {}
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def enable(self, name: str, rate: str | None = None) -> None:
        chosen = rate or self.defaults.get(name)
        if chosen is None:
            msg = f"unknown limit {name!r}; known: {sorted(self.defaults)}"
            raise KeyError(msg)
        parse(chosen)  # fail early on a malformed rate
        self._active[name] = chosen
        self._limiter.storage.reset()

    def disable(self, name: str | None = None) -> None:
        if name is None:
            self._active.clear()
        else:
            self._active.pop(name, None)

    @property
    def active(self) -> dict[str, str]:
        return dict(self._active)

    def hit(self, name: str, *keys: str) -> LimitHit | None:
        rate = self._active.get(name)
        if rate is None:
            return None
        item = parse(rate)
        if self._limiter.hit(item, name, *keys):
            return None
        reset_at, _remaining = self._limiter.get_window_stats(item, name, *keys)
        return LimitHit(rate, max(1, math.ceil(reset_at - time.time())))
