"""What is known of a connector's credential: when it expires, when it was last renewed, and
why its last renewal failed. Judged here, shown by ``doctor``, ``/metrics`` and the board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The board warns this long before a credential that is not renewed by itself expires.
WARN_BEFORE = dt.timedelta(days=14)


@dataclass(frozen=True)
class CredentialStatus:
    connector: str
    kind: str
    label: str  # "GitHub App installation token", as doctor and the board name it
    renewable: bool  # renewed by the bridge itself before it expires (OAuth, App tokens)
    expires_at: dt.datetime | None = None
    fix: str = ""  # what to do before it expires (a fixed date) or when renewing fails
    ends: str = "expires"  # how its fixed date is said: "refused by Zendesk from"
    last_refresh_at: dt.datetime | None = None
    last_failure_at: dt.datetime | None = None
    last_refresh_error: str | None = None
    refresh_failures: int = 0

    @property
    def failing(self) -> bool:
        """The last renewal failed and none succeeded since."""
        if self.last_failure_at is None:
            return False
        return self.last_refresh_at is None or self.last_failure_at >= self.last_refresh_at

    def expired(self, now: dt.datetime) -> bool:
        """Past a date nobody renews it at; a renewable token past its hour is renewed on use."""
        return not self.renewable and self.expires_at is not None and self.expires_at <= now

    def broken(self, now: dt.datetime) -> bool:
        return self.failing or self.expired(now)

    def needs_attention(self, now: dt.datetime) -> bool:
        if self.broken(now):
            return True
        return (
            not self.renewable
            and self.expires_at is not None
            and self.expires_at - now <= WARN_BEFORE
        )

    def describe(self, now: dt.datetime) -> str:
        """One line: ``Zendesk OAuth token: renewed 12:03 UTC, expires 12:33 UTC``."""
        return f"{self.label}: {self._state(now)}"

    def _state(self, now: dt.datetime) -> str:
        if self.failing and self.last_failure_at is not None:
            return f"last refresh failed at {_moment(self.last_failure_at, now)}: " + (
                self.last_refresh_error or "no reason given"
            )
        if not self.renewable:
            if self.expires_at is None:
                return "no expiry known"
            if self.expired(now):
                return f"expired on {self.expires_at:%Y-%m-%d}"
            return f"{self.ends} {self.expires_at:%Y-%m-%d} ({_days_left(self.expires_at, now)})"
        if self.last_refresh_at is None:
            return "not asked for yet"
        renewed = f"renewed {_moment(self.last_refresh_at, now)}"
        if self.expires_at is None:
            return f"{renewed}, no expiry announced"
        return f"{renewed}, expires {_moment(self.expires_at, now)}"


def _moment(at: dt.datetime, now: dt.datetime) -> str:
    """``12:03 UTC`` today, with the date on any other day."""
    at, now = at.astimezone(dt.UTC), now.astimezone(dt.UTC)
    return f"{at:%H:%M} UTC" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M} UTC"


def _days_left(at: dt.datetime, now: dt.datetime) -> str:
    days = (at.astimezone(dt.UTC).date() - now.astimezone(dt.UTC).date()).days
    return "today" if days == 0 else f"in {days} day{'' if days == 1 else 's'}"
