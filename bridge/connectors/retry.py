"""The one retry policy for calls to outside systems.

Only ``TransientConnectorError`` is retried (429, 5xx, timeouts), except ``UncertainOutcome``:
a create that may have been applied is left to the outbox, whose next attempt looks first.
Waits grow exponentially with full jitter, a vendor's ``Retry-After`` is honoured, and both the
number of attempts and the total time are capped, so a worker never hangs on a sick vendor:
when the policy gives up, the outbox takes over and tries again minutes later. A vendor that
asks for a longer wait than ``MAX_SINGLE_WAIT`` (GitHub's spent hourly limit, its secondary
limit's minute) is not asked again on the spot: repeating into a limit is what gets an
integration banned, and the outbox schedules its next attempt after the vendor's wait.

Tests call ``set_testing(True)`` (an autouse fixture does) so retries happen without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from bridge.services.ports import TransientConnectorError, UncertainOutcome

log = structlog.get_logger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 4
MAX_TOTAL_SECONDS = 30.0
MAX_SINGLE_WAIT = 20.0
_jittered = wait_random_exponential(multiplier=0.5, max=MAX_SINGLE_WAIT)


class _Switch:
    testing = False
    attempts = MAX_ATTEMPTS


_switch = _Switch()


def set_testing(on: bool, *, attempts: int = MAX_ATTEMPTS) -> None:
    """In tests: retry ``attempts`` times in all, never sleeping."""
    _switch.testing = on
    _switch.attempts = attempts if on else MAX_ATTEMPTS


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return min(float(retry_after), MAX_SINGLE_WAIT)
    return _jittered(state)


def _vendor_asks_longer(state: RetryCallState) -> bool:
    error = state.outcome.exception() if state.outcome else None
    retry_after = getattr(error, "retry_after", None)
    return retry_after is not None and float(retry_after) > MAX_SINGLE_WAIT


def _sleep(seconds: float) -> None:
    if not _switch.testing:
        time.sleep(seconds)


def _before_sleep(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning(
        "connector.retry",
        system=getattr(error, "system", "?"),
        attempt=state.attempt_number,
        wait=round(state.upcoming_sleep, 2),
    )


def _worth_repeating(error: BaseException) -> bool:
    return isinstance(error, TransientConnectorError) and not isinstance(error, UncertainOutcome)


def policy() -> Retrying:
    return Retrying(
        retry=retry_if_exception(_worth_repeating),
        wait=_wait,
        stop=(
            stop_after_attempt(_switch.attempts)
            | stop_after_delay(MAX_TOTAL_SECONDS)
            | _vendor_asks_longer
        ),
        sleep=_sleep,
        before_sleep=_before_sleep,
        reraise=True,
    )


def call(fn: Callable[[], T]) -> T:
    """Run ``fn`` under the policy; the last ``TransientConnectorError`` propagates."""
    return policy()(fn)
