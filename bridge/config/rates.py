"""A rate as the `limits` library reads it ("400/minute", "10 per 15 minutes", several joined
by ";"), checked where bridge.yaml names one."""

from __future__ import annotations

from limits import parse_many


def checked_rate(value: str) -> str:
    """``value`` when it is a rate of at least one a window, else ``ValueError`` saying so."""
    try:
        rates = parse_many(value)
    except ValueError:
        rates = []
    if not rates or any(rate.amount < 1 for rate in rates):
        msg = f"{value!r} is not a rate (expected e.g. '10 per 15 minutes' or '5/minute')"
        raise ValueError(msg)
    return value
