"""How many wrong tokens one client address may send to ``/board/login`` (``board.failed_logins``)
before the login answers 429 with ``Retry-After``.

Only failures count, so people who type the token right are never slowed down. The count lives
in Redis when ``BRIDGE_REDIS_URL`` is set (shared by every ``serve``), else in this process.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bridge.config import Settings

NAMESPACE = "board-login-failed"


class LoginLimit:
    def __init__(self, settings: Settings) -> None:
        url = settings.redis_url.get_secret_value() if settings.redis_url else "memory://"
        self._limiter = MovingWindowRateLimiter(storage_from_string(url))
        self._rates: list[RateLimitItem] = parse_many(settings.board.failed_logins)

    def wait_for(self, address: str) -> int | None:
        """Seconds until ``address`` may try again, or None while it still may."""
        full = [rate for rate in self._rates if not self._limiter.test(rate, NAMESPACE, address)]
        if not full:
            return None
        resets = (self._limiter.get_window_stats(rate, NAMESPACE, address)[0] for rate in full)
        return max(1, math.ceil(max(resets) - time.time()))

    def failed(self, address: str) -> None:
        for rate in self._rates:
            self._limiter.hit(rate, NAMESPACE, address)
