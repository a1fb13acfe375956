"""A slot of a full window is used again a margin after it freed, not the moment it frees: a
request reaches the vendor a little after its slot was taken, and the vendor's window is its
own (Jira's eleventh request in a second, sent as the first slot expired, met a 429)."""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

from bridge.connectors.ratelimit import SAFETY_MARGIN, RateGate


def test_a_slot_freed_from_a_full_window_is_taken_again_only_after_the_margin() -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    gate = RateGate(MemoryStorage(), rates={"jira:requests": "2/second"}, sleep=sleep)
    started = time.time()
    gate.take("jira:requests")
    gate.take("jira:requests")  # the window is full
    time.sleep(1.05)  # the first slot has left the window: the limiter alone would allow one

    gate.take("jira:requests")

    assert slept, "the third slot was taken as soon as it freed"
    assert time.time() - started >= 1.0 + SAFETY_MARGIN


def test_a_window_never_filled_costs_no_wait() -> None:
    slept: list[float] = []
    gate = RateGate(MemoryStorage(), rates={"jira:requests": "3/second"}, sleep=slept.append)

    gate.take("jira:requests")
    gate.take("jira:requests")

    assert slept == []
