"""One retry policy: transient errors only, Retry-After honoured, attempts capped; and our own
rate budget that waits rather than overrunning a vendor's limit."""

from __future__ import annotations

import uuid

import pytest
from limits.storage import MemoryStorage

from bridge.connectors import retry
from bridge.connectors.ratelimit import SAFETY_MARGIN, RateGate
from bridge.services.ports import PermanentConnectorError, TransientConnectorError


class Flaky:
    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    retry.set_testing(False)
    slept: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", slept.append)
    return slept


def test_a_vendors_retry_after_is_waited_exactly(sleeps: list[float]) -> None:
    flaky = Flaky(TransientConnectorError("github", "429", retry_after=7), failures=2)

    assert retry.call(flaky) == "ok"
    assert sleeps == [7.0, 7.0]


def test_without_retry_after_waits_are_jittered_and_capped(sleeps: list[float]) -> None:
    flaky = Flaky(TransientConnectorError("jira", "503"), failures=3)

    assert retry.call(flaky) == "ok"
    assert len(sleeps) == 3
    assert all(0 <= s <= retry.MAX_SINGLE_WAIT for s in sleeps)


def test_a_permanent_error_is_never_retried(sleeps: list[float]) -> None:
    flaky = Flaky(PermanentConnectorError("jira", "summary: required"), failures=1)

    with pytest.raises(PermanentConnectorError):
        retry.call(flaky)
    assert (flaky.calls, sleeps) == (1, [])


def test_attempts_are_capped_and_the_last_transient_error_surfaces(sleeps: list[float]) -> None:
    flaky = Flaky(TransientConnectorError("slack", "busy", retry_after=1), failures=99)

    with pytest.raises(TransientConnectorError, match="busy"):
        retry.call(flaky)
    assert flaky.calls == retry.MAX_ATTEMPTS


def test_the_test_switch_retries_without_sleeping(sleeps: list[float]) -> None:
    retry.set_testing(True, attempts=2)
    flaky = Flaky(TransientConnectorError("slack", "busy", retry_after=15), failures=1)

    assert retry.call(flaky) == "ok"
    assert sleeps == []


def test_a_vendor_asking_for_more_than_the_longest_wait_is_left_to_the_outbox(
    sleeps: list[float],
) -> None:
    """Asked again before its wait is over, a rate-limited vendor only counts another refusal
    (GitHub bans integrations that keep at it); the outbox's backoff takes the vendor's wait."""
    flaky = Flaky(TransientConnectorError("github", "limit", retry_after=1800), failures=1)

    with pytest.raises(TransientConnectorError) as refused:
        retry.call(flaky)
    assert flaky.calls == 1
    assert refused.value.retry_after == 1800
    assert sleeps == []


def test_a_used_up_budget_gives_up_as_transient_with_the_wait() -> None:
    gate = RateGate(MemoryStorage(), rates={"github:content": "1/minute"}, max_wait=0.5)
    gate.take("github:content")

    with pytest.raises(TransientConnectorError) as refused:
        gate.take("github:content")
    # The slot frees in a minute; the gate hands it out again a margin later.
    assert refused.value.retry_after is not None
    assert 50 < refused.value.retry_after <= 60 + SAFETY_MARGIN


def test_budgets_are_kept_per_slack_channel() -> None:
    gate = RateGate(MemoryStorage(), rates={"slack:channel": "1/minute"}, max_wait=0)
    gate.take("slack:channel", "C1")
    gate.take("slack:channel", "C2")

    with pytest.raises(TransientConnectorError):
        gate.take("slack:channel", "C1")


def test_two_workers_share_one_budget_through_redis(redis_url: str) -> None:
    budget = f"github:content-{uuid.uuid4().hex}"
    rates = {budget: "2/minute"}
    first = RateGate.from_url(redis_url, rates=rates, max_wait=0)
    second = RateGate.from_url(redis_url, rates=rates, max_wait=0)
    first.take(budget)
    second.take(budget)

    with pytest.raises(TransientConnectorError):
        first.take(budget)
