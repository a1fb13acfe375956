"""HTTP status → port error, shared by the connectors' own translators."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from bridge.services.ports import (
    ConnectorAuthError,
    ConnectorError,
    PermanentConnectorError,
    TransientConnectorError,
    UncertainOutcome,
)


def retry_after_of(headers: Mapping[str, str] | None) -> float | None:
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date; our own backoff is good enough then


def from_status(
    system: str, status: int | None, detail: str, headers: Mapping[str, str] | None = None
) -> ConnectorError:
    if status is None or status == 429 or status >= 500 or status == 408:
        what = "is rate limiting us" if status == 429 else "is unavailable"
        code = f"HTTP {status}" if status else "no answer"
        msg = f"{system} {what} ({code}): {detail}"
        limited = status == 429
        return TransientConnectorError(system, msg, retry_after_of(headers), rate_limited=limited)
    if status in (401, 403):
        msg = f"credentials refused (HTTP {status}): {detail}; check connectors.{system} secrets"
        return ConnectorAuthError(system, msg)
    return PermanentConnectorError(system, f"request refused (HTTP {status}): {detail}")


def unreachable(system: str, error: Exception) -> TransientConnectorError:
    return TransientConnectorError(system, f"cannot reach {system}: {type(error).__name__}")


T = TypeVar("T")


def translated(
    fn: Callable[[], T],
    vendor_errors: tuple[type[Exception], ...],
    translate: Callable[[Exception], ConnectorError],
    *,
    creates: bool,
) -> T:
    """One vendor call, its failures as the port's errors: a create that may have reached the
    vendor becomes ``UncertainOutcome``."""
    try:
        return fn()
    except vendor_errors as exc:
        error = translate(exc)
        raise (uncertain_if_sent(error) if creates else error) from exc


def uncertain_if_sent(error: ConnectorError) -> ConnectorError:
    """For a create: a timeout or 5xx may have been applied, so it must not be sent again
    before the key is looked up; a 429 was refused outright and is safe to repeat."""
    if isinstance(error, TransientConnectorError) and not error.rate_limited:
        return UncertainOutcome(error.system, str(error).split(": ", 1)[-1], error.retry_after)
    return error
