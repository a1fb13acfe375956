"""HTTP status → port error, shared by the connectors' own translators."""

from __future__ import annotations

from collections.abc import Mapping

from bridge.ports import (
    ConnectorAuthError,
    ConnectorError,
    PermanentConnectorError,
    TransientConnectorError,
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
        return TransientConnectorError(system, msg, retry_after_of(headers))
    if status in (401, 403):
        msg = f"credentials refused (HTTP {status}): {detail}; check connectors.{system} secrets"
        return ConnectorAuthError(system, msg)
    return PermanentConnectorError(system, f"request refused (HTTP {status}): {detail}")


def unreachable(system: str, error: Exception) -> TransientConnectorError:
    return TransientConnectorError(system, f"cannot reach {system}: {type(error).__name__}")
