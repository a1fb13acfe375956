"""Requests being answered right now, so that work which can wait gives way to them.

In the embedded mode the job threads run inside the web server's process and share its GIL.
Processing a delivery costs more Python than acknowledging one, so under a burst the jobs
took the time the acknowledgements needed: a vendor waiting for its 2xx waited for other
deliveries' processing (``bench/ingest.py``: seconds at 500 deliveries/s). Every delivery is in
the inbox before it is answered, so its processing can wait: a job thread, before it claims its
rows and before each row, waits while requests are in flight, up to ``longest`` seconds, then
goes on whatever the load: the backlog is worked off as soon as the burst ends, and is slowed,
never stopped, under a steady one. In a ``worker`` process nothing is ever in flight, so its
jobs never wait.
"""

from __future__ import annotations

import threading
import time

POLL_SECONDS = 0.005
LONGEST_WAIT_SECONDS = 0.25


class ActiveRequests:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0

    def started(self) -> None:
        with self._lock:
            self._in_flight += 1

    def finished(self) -> None:
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def give_way(self, longest: float | None = None) -> float:
        """Wait while requests are in flight, at most ``longest`` seconds (default
        ``LONGEST_WAIT_SECONDS``); returns the wait."""
        if not self._in_flight:
            return 0.0
        started = time.monotonic()
        deadline = started + (LONGEST_WAIT_SECONDS if longest is None else longest)
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        return time.monotonic() - started
