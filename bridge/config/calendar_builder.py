"""Build business calendars from plain config values (the adapter around `holidays`).

The domain's BusinessCalendar takes any container of dates; this module fills it from the
`holidays` package plus explicit dates, and knows the seed regions of docs/domain.md rule 7.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time
from typing import Any

import holidays as holiday_tables

from bridge.config.policy import CalendarConfig
from bridge.config.policy import seed_calendars as seed_calendar_configs
from bridge.domain.calendar import BusinessCalendar, Span
from bridge.domain.errors import InvalidCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MON_FRI_9_TO_5 = {"mon-fri": ["09:00", "17:00"]}


class _Holidays:
    """Public holidays of a country (filled year by year on demand) plus explicit dates."""

    def __init__(self, country: Mapping[date, str] | None, extra: frozenset[date]) -> None:
        self.country = country
        self.extra = extra

    def __contains__(self, day: object) -> bool:
        if day in self.extra:
            return True
        return self.country is not None and day in self.country


def _parse_time(text: str) -> time:
    if text.strip() == "24:00":
        return time(0)  # BusinessCalendar reads an end of 00:00 as midnight at the end of the day
    try:
        return time.fromisoformat(text.strip())
    except ValueError as exc:
        msg = f"business hours: {text!r} is not a time like '09:00'"
        raise InvalidCalendar(msg) from exc


def _days(key: str) -> list[int]:
    first, _, last = key.strip().lower().partition("-")
    try:
        start = WEEKDAYS.index(first[:3])
        end = WEEKDAYS.index(last[:3]) if last else start
    except ValueError as exc:
        msg = f"business hours: {key!r} is not a weekday like 'mon' or a range like 'mon-fri'"
        raise InvalidCalendar(msg) from exc
    return list(range(start, end + 1))


def _spans(value: Sequence[Any]) -> list[Span]:
    # Either one pair ["09:00", "17:00"] or a list of pairs for split days.
    pairs: list[Any] = [value] if value and isinstance(value[0], str) else list(value)
    spans: list[Span] = []
    for pair in pairs:
        if isinstance(pair, str) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
            msg = f"business hours: {pair!r} should be [open, close], e.g. ['09:00', '17:00']"
            raise InvalidCalendar(msg)
        spans.append((_parse_time(pair[0]), _parse_time(pair[1])))
    return spans


def parse_weekly_hours(
    weekly_hours: Mapping[str, Sequence[str] | Sequence[Sequence[str]]],
) -> dict[int, list[Span]]:
    """`{"mon-fri": ["09:00", "17:00"], "sat": [["09:00", "12:00"]]}` -> {0: [(9:00, 17:00)]...}.

    A day may have several spans (a lunch break); "24:00" closes at midnight.
    """
    parsed: dict[int, list[Span]] = {}
    for key, value in weekly_hours.items():
        for day in _days(key):
            parsed[day] = _spans(value)
    return parsed


def _country_holidays(country: str, subdivision: str | None) -> Mapping[date, str]:
    try:
        return holiday_tables.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        where = f"{country}/{subdivision}" if subdivision else country
        msg = f"no public holiday table for {where!r} in the holidays package"
        raise InvalidCalendar(msg) from exc


def build_calendar(
    *,
    tz: str = "UTC",
    weekly_hours: Mapping[str, Sequence[str] | Sequence[Sequence[str]]] | None = None,
    holiday_country: str | None = None,
    holiday_subdivision: str | None = None,
    extra_holidays: Iterable[date | str] = (),
    always_open: bool = False,
    name: str = "",
) -> BusinessCalendar:
    """A calendar from plain values, as found in bridge.yaml."""
    if always_open:
        return BusinessCalendar.twenty_four_seven(tz, name=name or "24x7")
    country = _country_holidays(holiday_country, holiday_subdivision) if holiday_country else None
    extra = frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in extra_holidays)
    return BusinessCalendar(
        tz,
        parse_weekly_hours(weekly_hours or MON_FRI_9_TO_5),
        _Holidays(country, extra),
        name=name or tz,
    )


def _values(config: CalendarConfig) -> dict[str, Any]:
    return {
        "tz": config.timezone,
        "weekly_hours": {day: list(span) for day, span in config.hours.items()},
        "holiday_country": config.holidays.country if config.holidays else None,
        "holiday_subdivision": config.holidays.subdivision if config.holidays else None,
        "extra_holidays": config.extra_holidays,
        "always_open": config.always_open,
    }


def calendar_from_config(name: str, config: CalendarConfig) -> BusinessCalendar:
    """The calendar for one entry of ``calendars:`` in bridge.yaml."""
    return build_calendar(**_values(config), name=name)


def configured_calendars(configs: Mapping[str, CalendarConfig]) -> dict[str, BusinessCalendar]:
    return {name: calendar_from_config(name, config) for name, config in configs.items()}


def region_calendar(region: str, **overrides: Any) -> BusinessCalendar:
    """A seed region ("us-florida", "uk", "france", "us-eastern", "24x7"), optionally adjusted."""
    seeds = seed_calendar_configs()
    if region not in seeds:
        msg = f"unknown region {region!r}; seed regions are {sorted(seeds)}"
        raise InvalidCalendar(msg)
    return build_calendar(**{**_values(seeds[region]), "name": region, **overrides})


def seed_calendars() -> dict[str, BusinessCalendar]:
    """The seed regions of docs/domain.md rule 7, as the embedded configuration defines them."""
    return configured_calendars(seed_calendar_configs())
