"""The structured part of the configuration, read from the YAML file.

Defaults follow the seed procedures: Mon-Fri 9-5 in Florida, the UK and France and 9-6 US Eastern;
sev1 acknowledged within 4 business hours, other severities within 24; replies within one business
day; a patch for a critical bug within 24 hours.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from bridge import catalogue
from bridge.config.installed import installed_tracker
from bridge.config.zones import region_zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HolidaySource(_Strict):
    country: str = Field(description="ISO 3166 country code understood by the holidays package")
    subdivision: str | None = None


class CalendarConfig(_Strict):
    timezone: str = "UTC"
    always_open: bool = False
    hours: dict[str, tuple[str, str]] = Field(
        default_factory=lambda: {day: ("09:00", "17:00") for day in WEEKDAYS[:5]}
    )
    holidays: HolidaySource | None = None
    extra_holidays: list[dt.date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return region_zone(value)

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        for day, (opens, closes) in value.items():
            if day not in WEEKDAYS:
                msg = f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})"
                raise ValueError(msg)
            for moment in (opens, closes):
                if not _HHMM.match(moment):
                    msg = f"{day}: {moment!r} is not a time of day like 09:00"
                    raise ValueError(msg)
            if opens >= closes:
                msg = f"{day}: opens at {opens} but closes at {closes}"
                raise ValueError(msg)
        return value


def seed_calendars() -> dict[str, CalendarConfig]:
    """Seed regions (000: Mon-Fri 9-5 in Florida, the UK and France; 004: 9-6 US Eastern)."""

    def weekdays_until(closes: str) -> dict[str, tuple[str, str]]:
        return {day: ("09:00", closes) for day in WEEKDAYS[:5]}

    return {
        "us-florida": CalendarConfig(
            timezone="America/New_York",
            hours=weekdays_until("17:00"),
            holidays=HolidaySource(country="US", subdivision="FL"),
        ),
        "uk": CalendarConfig(
            timezone="Europe/London",
            hours=weekdays_until("17:00"),
            holidays=HolidaySource(country="GB", subdivision="ENG"),
        ),
        "france": CalendarConfig(
            timezone="Europe/Paris",
            hours=weekdays_until("17:00"),
            holidays=HolidaySource(country="FR"),
        ),
        "us-eastern": CalendarConfig(
            timezone="America/New_York",
            hours=weekdays_until("18:00"),
            holidays=HolidaySource(country="US"),
        ),
        "24x7": CalendarConfig(timezone="UTC", always_open=True, hours={}),
    }


class SlaTarget(_Strict):
    """A time limit: ``hours`` of open time, or ``business_days`` (each one full business day of
    the calendar, e.g. 8 h on 9-17). ``clock: wall`` counts every hour, whatever the calendar."""

    hours: float | None = Field(default=None, gt=0)
    business_days: float | None = Field(default=None, gt=0)
    clock: Literal["business", "wall"] = "business"

    @model_validator(mode="after")
    def _one_measure(self) -> SlaTarget:
        if (self.hours is None) == (self.business_days is None):
            msg = "set exactly one of hours or business_days"
            raise ValueError(msg)
        return self


ONE_BUSINESS_DAY = SlaTarget(business_days=1)


class SeverityPolicy(_Strict):
    acknowledge: SlaTarget
    reply: SlaTarget = ONE_BUSINESS_DAY
    patch: SlaTarget | None = None


def _seed_sla() -> dict[int, SeverityPolicy]:
    # 004: sev1 acknowledged within 4 hours, others within 24; 000: replies within one business
    # day, and a patch for a critical bug within 24 hours.
    return {
        1: SeverityPolicy(
            acknowledge=SlaTarget(hours=4),
            patch=SlaTarget(hours=24, clock="wall"),
        ),
        2: SeverityPolicy(acknowledge=SlaTarget(hours=24)),
        3: SeverityPolicy(acknowledge=SlaTarget(hours=24)),
        4: SeverityPolicy(acknowledge=SlaTarget(hours=24)),
    }


class DigestConfig(_Strict):
    """The daily digest of open escalations for the escalation team (002)."""

    time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"
    channel: str | None = None
    # Whose business days the digest goes out on (weekends and holidays skipped); one of
    # ``calendars``. None: ``sla.default_calendar``.
    calendar: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return CalendarConfig._known_zone(value)


class SlaConfig(_Strict):
    default_calendar: str = "us-eastern"
    at_risk_fraction: float = Field(default=0.75, gt=0, lt=1)
    severities: dict[int, SeverityPolicy] = Field(default_factory=_seed_sla)
    # The clocks that stop counting while the escalation waits on the customer (a plan awaiting
    # their answer, the resolution notice sent, an agreed wait) and resume when they answer.
    pause_while_waiting_on_customer: list[Literal["acknowledge", "reply", "patch"]] = Field(
        default_factory=lambda: ["acknowledge", "patch"]
    )

    @field_validator("severities")
    @classmethod
    def _severity_range(cls, value: dict[int, SeverityPolicy]) -> dict[int, SeverityPolicy]:
        wrong = sorted(s for s in value if s not in (1, 2, 3, 4))
        if wrong:
            msg = f"severities are 1 to 4, got {wrong}"
            raise ValueError(msg)
        return value


class LevelConfig(_Strict):
    role: str
    owners: list[str] = Field(default_factory=list)
    notify: Literal["channel", "dm"] = "channel"
    # The mail address a customer copies on a ticket reply to ask for this level (000: the
    # support manager, the account manager, the executive). None: copying raises nothing.
    address: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")


def _seed_levels() -> dict[int, LevelConfig]:
    return {
        1: LevelConfig(role="support manager"),
        2: LevelConfig(role="account manager", notify="dm"),
        3: LevelConfig(role="executive", notify="dm"),
    }


class RouteMatch(_Strict):
    severity: list[int] = Field(default_factory=list)
    product: list[str] = Field(default_factory=list)
    customer: list[str] = Field(default_factory=list)
    region: list[str] = Field(default_factory=list)


class RouteRule(_Strict):
    match: RouteMatch = RouteMatch()
    channel: str
    # Any installed connector of kind tracker (its entry-point name); None: the default tracker.
    tracker: str | None = None

    @field_validator("tracker")
    @classmethod
    def _installed(cls, value: str | None) -> str | None:
        return None if value is None else installed_tracker(value)


class RoutingConfig(_Strict):
    default_channel: str = "#escalations"
    default_tracker: str = "jira"
    rules: list[RouteRule] = Field(default_factory=list)

    @field_validator("default_tracker")
    @classmethod
    def _installed(cls, value: str) -> str:
        return installed_tracker(value)


# One list per role of the step catalogue: a step declared there is a key here, and a key the
# catalogue does not know is refused like any unknown setting.
_Roles: Any = create_model(
    "_Roles",
    __base__=_Strict,
    **{role: (list[str], Field(default_factory=list)) for role in catalogue.ROLES},
)


class RolesConfig(_Roles):  # type: ignore[misc]
    """Slack user ids or user-group ids allowed to take each step (``bridge.catalogue``); an
    empty list lets anyone."""


class DeliveryTargets(_Strict):
    """Days to deliver a fix, per severity, by kind of software release."""

    patch: dict[int, int] = Field(default_factory=lambda: {1: 1, 2: 14})
    maintenance_release: dict[int, int] = Field(default_factory=lambda: {2: 30, 3: 90})
    major_release: dict[int, int] = Field(default_factory=lambda: {3: 180, 4: 365})
