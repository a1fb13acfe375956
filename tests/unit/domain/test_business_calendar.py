"""Business time on the seed regions' calendars, across weekends, holidays and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bridge.config.calendar_builder import build_calendar, region_calendar, seed_calendars
from bridge.domain.calendar import BusinessCalendar
from bridge.domain.errors import InvalidCalendar

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
PARIS = ZoneInfo("Europe/Paris")
HOUR = timedelta(hours=1)


def local(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def test_friday_afternoon_acknowledgement_falls_due_on_monday_morning_in_florida() -> None:
    florida = region_calendar("us-florida")

    due = florida.add_business_time(local(NEW_YORK, 2026, 3, 13, 16, 0), 4 * HOUR)

    assert due == local(NEW_YORK, 2026, 3, 16, 12, 0)


def test_london_due_time_keeps_local_hours_across_the_spring_clock_change() -> None:
    uk = region_calendar("uk")
    friday = local(LONDON, 2026, 3, 27, 16, 0)  # GMT; clocks go forward on Sunday the 29th

    due = uk.add_business_time(friday, 4 * HOUR)

    assert due == local(LONDON, 2026, 3, 30, 12, 0)
    assert due == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)
    assert uk.business_duration(friday, due) == 4 * HOUR


def test_paris_due_time_keeps_local_hours_across_the_autumn_clock_change() -> None:
    france = region_calendar("france")

    due = france.add_business_time(local(PARIS, 2026, 10, 23, 15, 0), 6 * HOUR)

    assert due == local(PARIS, 2026, 10, 26, 13, 0)
    assert due.utcoffset() == timedelta(0)
    assert due.astimezone(PARIS).utcoffset() == HOUR


def test_us_eastern_day_runs_until_six_and_florida_until_five() -> None:
    evening = local(NEW_YORK, 2026, 6, 2, 17, 30)
    assert region_calendar("us-eastern").is_open(evening)
    assert not region_calendar("us-florida").is_open(evening)
    assert region_calendar("us-eastern").business_day == 9 * HOUR


@pytest.mark.parametrize(
    ("region", "start", "expected"),
    [
        # Thanksgiving and the Friday after are Florida holidays.
        ("us-florida", local(NEW_YORK, 2026, 11, 25, 16, 0), local(NEW_YORK, 2026, 11, 30, 10, 0)),
        # Good Friday and Easter Monday are bank holidays in England.
        ("uk", local(LONDON, 2026, 4, 2, 16, 0), local(LONDON, 2026, 4, 7, 10, 0)),
        # Easter Monday is a French holiday.
        ("france", local(PARIS, 2026, 4, 3, 16, 0), local(PARIS, 2026, 4, 7, 10, 0)),
    ],
    ids=["us-florida thanksgiving", "uk good friday", "france easter monday"],
)
def test_public_holidays_of_the_region_are_skipped(
    region: str, start: datetime, expected: datetime
) -> None:
    assert region_calendar(region).add_business_time(start, 2 * HOUR) == expected


def test_explicit_extra_holidays_close_the_office() -> None:
    calendar = region_calendar("uk", extra_holidays=["2026-06-01"])

    assert not calendar.is_open(local(LONDON, 2026, 6, 1, 10, 0))
    assert calendar.is_open(local(LONDON, 2026, 6, 2, 10, 0))


def test_a_24x7_contract_counts_every_hour_including_weekends() -> None:
    always = seed_calendars()["24x7"]
    saturday = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)

    assert always.add_business_time(saturday, 24 * HOUR) == saturday + 24 * HOUR
    assert always.business_duration(saturday, saturday + 50 * HOUR) == 50 * HOUR
    assert always.business_day == 24 * HOUR


def test_round_the_clock_hours_in_london_count_the_short_spring_day_as_23_hours() -> None:
    calendar = build_calendar(tz="Europe/London", weekly_hours={"mon-sun": ["00:00", "24:00"]})
    start = local(LONDON, 2026, 3, 29, 0, 0)

    assert calendar.business_duration(start, local(LONDON, 2026, 3, 30, 0, 0)) == 23 * HOUR
    assert calendar.add_business_time(start, 23 * HOUR) == local(LONDON, 2026, 3, 30, 0, 0)


def test_a_day_with_a_lunch_break_has_two_open_spans() -> None:
    calendar = build_calendar(
        tz="Europe/Paris", weekly_hours={"mon-fri": [["09:00", "12:00"], ["14:00", "18:00"]]}
    )

    assert calendar.add_business_time(local(PARIS, 2026, 2, 2, 11, 0), 2 * HOUR) == local(
        PARIS, 2026, 2, 2, 15, 0
    )
    assert calendar.business_day == 7 * HOUR


def test_zero_business_time_from_closed_hours_is_the_next_opening() -> None:
    florida = region_calendar("us-florida")
    saturday = local(NEW_YORK, 2026, 3, 14, 11, 0)

    assert florida.add_business_time(saturday, timedelta(0)) == local(NEW_YORK, 2026, 3, 16, 9, 0)


def test_business_duration_backwards_is_negative() -> None:
    uk = region_calendar("uk")
    start, end = local(LONDON, 2026, 3, 2, 9, 0), local(LONDON, 2026, 3, 3, 17, 0)

    assert uk.business_duration(start, end) == 16 * HOUR
    assert uk.business_duration(end, start) == -16 * HOUR


def test_naive_datetimes_are_refused_because_their_instant_is_unknown() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        region_calendar("uk").add_business_time(datetime(2026, 3, 2, 9, 0), HOUR)


def test_a_calendar_that_never_opens_is_refused() -> None:
    with pytest.raises(InvalidCalendar, match="never open"):
        BusinessCalendar("Europe/London", {})


def test_a_calendar_whose_every_day_is_a_holiday_gives_up_with_a_clear_error() -> None:
    every_day = type("EveryDay", (), {"__contains__": lambda self, day: True})()
    calendar = BusinessCalendar("UTC", {0: [(time(9), time(17))]}, every_day)

    with pytest.raises(InvalidCalendar, match="no business hours"):
        calendar.add_business_time(datetime(2026, 1, 1, tzinfo=UTC), HOUR)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({"weekly_hours": {"funday": ["09:00", "17:00"]}}, "not a weekday"),
        ({"weekly_hours": {"mon": ["nine", "17:00"]}}, "not a time"),
        ({"weekly_hours": {"mon": ["17:00", "09:00"]}}, "empty or overlapping"),
        ({"weekly_hours": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "overlapping"),
        ({"weekly_hours": {"mon": ["09:00"]}}, "should be \\[open, close\\]"),
        ({"holiday_country": "XX"}, "no public holiday table"),
    ],
)
def test_bad_calendar_config_is_refused_with_a_clear_message(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidCalendar, match=message):
        build_calendar(**values)  # type: ignore[arg-type]


def test_unknown_region_names_the_seed_regions() -> None:
    with pytest.raises(InvalidCalendar, match="'24x7', 'france', 'uk', 'us-eastern', 'us-florida'"):
        region_calendar("mars")


def test_seed_regions_follow_the_support_charters() -> None:
    calendars = seed_calendars()
    monday_noon = {
        "us-florida": local(NEW_YORK, 2026, 3, 2, 12),
        "uk": local(LONDON, 2026, 3, 2, 12),
        "france": local(PARIS, 2026, 3, 2, 12),
        "us-eastern": local(NEW_YORK, 2026, 3, 2, 12),
    }
    for region, noon in monday_noon.items():
        assert calendars[region].is_open(noon), region
        assert not calendars[region].is_open(noon + timedelta(days=5)), region  # Saturday
        assert calendars[region].tz == noon.tzinfo.key  # type: ignore[union-attr]
    assert calendars["us-florida"].is_open(local(NEW_YORK, 2026, 2, 16, 12))  # Presidents' Day
    assert not calendars["us-eastern"].is_open(local(NEW_YORK, 2026, 2, 16, 12))
    assert date(2026, 12, 25) in calendars["uk"].holidays
