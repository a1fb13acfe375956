"""A slot of a full window is used again a margin after it freed, not the moment it frees: a
request reaches the vendor a little after its slot was taken, and the vendor's window is its
own (Jira's eleventh request in a second, sent as the first slot expired, met a 429)."""

from __future__ import annotations

import threading
import time

import pytest
from limits.storage import MemoryStorage

from bridge.connectors.ratelimit import SAFETY_MARGIN, RateGate
from bridge.services.ports import TransientConnectorError


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


def test_a_slot_whose_request_was_answered_is_taken_again_a_window_after_the_answer() -> None:
    """The vendor had the request by the time it answered: no margin is needed past that, so
    a full budget's next request goes a window after the oldest answer, not a quarter second
    later (the least time Jira's ten a second allows, within a few hundredths)."""
    gate = RateGate(MemoryStorage(), rates={"jira:requests": "2/second"})
    started = time.time()
    with gate.slot("jira:requests"):
        pass
    with gate.slot("jira:requests"):
        pass  # the window is full

    with gate.slot("jira:requests") as third:
        pass

    waited = third.taken_at - started
    assert 1.0 <= waited < 1.0 + SAFETY_MARGIN
    assert third.answered_at is not None


def test_a_slot_answered_late_waits_a_window_after_its_answer() -> None:
    """A request that took long to be answered may have reached the vendor late: its slot is
    used again a window after the answer, even past the margin."""
    gate = RateGate(MemoryStorage(), rates={"jira:requests": "1/second"})
    with gate.slot("jira:requests") as first:
        time.sleep(0.4)  # a slow answer

    second = gate.take("jira:requests")

    assert first.answered_at is not None
    assert second.taken_at >= first.answered_at + 1.0


def test_a_request_still_in_flight_keeps_its_slot_until_it_is_answered() -> None:
    """It may reach the vendor any time until its answer: its slot is not used again before."""
    gate = RateGate(MemoryStorage(), rates={"jira:requests": "1/second"}, max_wait=0.3)
    with gate.slot("jira:requests"):
        time.sleep(1.1)  # the shared window has let the slot go; the request is still out
        with pytest.raises(TransientConnectorError):
            gate.take("jira:requests")


def test_threads_taking_at_once_never_hold_more_than_the_budget() -> None:
    gate = RateGate(MemoryStorage(), rates={"jira:requests": "5/second"})
    sent: list[float] = []

    def request() -> None:
        with gate.slot("jira:requests"):
            sent.append(time.time())
            time.sleep(0.05)

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent.sort()
    assert all(later - earlier >= 1.0 for earlier, later in zip(sent, sent[5:], strict=False))


def test_a_window_filled_by_another_process_keeps_the_margin() -> None:
    """With a shared store (Redis), the window's oldest request may be another worker's, whose
    answer this process does not know."""
    shared = MemoryStorage()
    other = RateGate(shared, rates={"jira:requests": "2/second"})
    mine = RateGate(shared, rates={"jira:requests": "2/second"})
    started = time.time()
    other.take("jira:requests")  # never answered, as far as this process can tell
    with mine.slot("jira:requests"):
        pass  # fills the window; its oldest is the other worker's

    third = mine.take("jira:requests")

    assert third.taken_at - started >= 1.0 + SAFETY_MARGIN
