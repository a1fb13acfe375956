"""Properties of business-time arithmetic on the seed calendars and on DST-straddling hours.

The oracle below reads the local wall clock of each instant directly (zoneinfo), with no
intervals, so it is an independent statement of "is the office open right now".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.config.calendar_builder import build_calendar, region_calendar
from bridge.domain.calendar import BusinessCalendar

QUARTER = timedelta(minutes=15)
TICK = timedelta(microseconds=1)
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

CALENDARS: dict[str, BusinessCalendar] = {
    "us-florida": region_calendar("us-florida"),
    "uk": region_calendar("uk"),
    "france": region_calendar("france"),
    "us-eastern": region_calendar("us-eastern"),
    # Round-the-clock hours make the 23- and 25-hour days of a DST change visible.
    "london-round-the-clock": build_calendar(
        tz="Europe/London", weekly_hours={"mon-sun": ["00:00", "24:00"]}, holiday_country="GB"
    ),
    # Night hours that contain the skipped and the repeated hour of each change.
    "new-york-night": build_calendar(
        tz="America/New_York", weekly_hours={"mon-sun": ["01:00", "04:00"]}, holiday_country="US"
    ),
    "paris-night-and-lunch": build_calendar(
        tz="Europe/Paris",
        weekly_hours={"mon-sun": [["01:00", "04:00"], ["09:00", "12:00"], ["14:00", "18:00"]]},
        holiday_country="FR",
    ),
    # Sunday hours opening inside New York's skipped hour open when the clocks jump.
    "new-york-sunday-gap": build_calendar(
        tz="America/New_York", weekly_hours={"sat": ["22:00", "24:00"], "sun": ["02:30", "05:00"]}
    ),
}

# Instants of DST changes (2025-2026) in the three zones, to start near them often.
DST_CHANGES = [
    datetime(2025, 3, 9, 7, tzinfo=UTC),
    datetime(2025, 11, 2, 6, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2025, 3, 30, 1, tzinfo=UTC),
    datetime(2025, 10, 26, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
]


def _oracle_open(calendar: BusinessCalendar, instant: datetime) -> bool:
    wall = instant.astimezone(ZoneInfo(calendar.tz))
    if wall.date() in calendar.holidays:
        return False
    moment = wall.time().replace(tzinfo=None)
    for start, end in calendar.weekly_hours.get(wall.weekday(), ()):
        if start <= moment and (end == time(0) or moment < end):
            return True
    return False


def _oracle_add(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    current, remaining = start, duration
    while not _oracle_open(calendar, current):
        current += QUARTER
    while remaining > timedelta(0):
        if _oracle_open(calendar, current):
            remaining -= QUARTER
        current += QUARTER
    return current


def _oracle_duration(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    quarters = (end - start) // QUARTER
    return QUARTER * sum(_oracle_open(calendar, start + n * QUARTER) for n in range(quarters))


calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)
anywhere = st.integers(0, 2 * 365 * 24 * 3600 * 10**6).map(
    lambda micros: EPOCH + timedelta(microseconds=micros)
)
near_dst = st.builds(
    lambda change, quarters: change + quarters * QUARTER,
    st.sampled_from(DST_CHANGES),
    st.integers(-4 * 24 * 4, 4 * 24 * 4),
)
quarter_starts = st.one_of(near_dst, anywhere.map(lambda t: t - (t - EPOCH) % QUARTER))
instants = st.one_of(near_dst, anywhere)
durations = st.integers(0, 60 * 3600 * 10**6).map(lambda micros: timedelta(microseconds=micros))
quarter_durations = st.integers(0, 60 * 4).map(lambda n: n * QUARTER)


@settings(deadline=None, max_examples=150)
@given(calendar=calendars, first=instants, second=instants, duration=durations)
def test_due_time_is_monotonic_in_start_time(
    calendar: BusinessCalendar, first: datetime, second: datetime, duration: timedelta
) -> None:
    early, late = sorted((first, second))
    assert calendar.add_business_time(early, duration) <= calendar.add_business_time(late, duration)


@settings(deadline=None, max_examples=150)
@given(calendar=calendars, start=instants, duration=durations)
def test_due_time_never_falls_inside_closed_hours(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = calendar.add_business_time(start, duration)

    # A due time may be the closing instant itself; the moment before it is always open.
    last_open_moment = due if duration == timedelta(0) else due - TICK
    assert _oracle_open(calendar, last_open_moment)
    assert calendar.is_open(last_open_moment)
    assert due >= start


@settings(deadline=None, max_examples=150)
@given(calendar=calendars, start=instants, duration=durations)
def test_business_duration_up_to_the_due_time_is_the_duration_added(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = calendar.add_business_time(start, duration)
    assert calendar.business_duration(start, due) == duration


@settings(deadline=None, max_examples=100)
@given(calendar=calendars, start=quarter_starts, duration=quarter_durations)
def test_due_time_matches_the_wall_clock_across_dst_and_public_holidays(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    assert calendar.add_business_time(start, duration) == _oracle_add(calendar, start, duration)


@settings(deadline=None, max_examples=100)
@given(calendar=calendars, start=quarter_starts, span=st.integers(0, 6 * 24 * 4))
def test_business_duration_matches_the_wall_clock_across_dst_and_public_holidays(
    calendar: BusinessCalendar, start: datetime, span: int
) -> None:
    end = start + span * QUARTER
    assert calendar.business_duration(start, end) == _oracle_duration(calendar, start, end)


@settings(deadline=None, max_examples=100)
@given(calendar=calendars, start=instants, first=durations, second=durations)
def test_adding_business_time_in_two_steps_lands_where_one_step_does(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    halfway = calendar.add_business_time(start, first)
    # From a closing instant a further zero step would wait for the next opening, so add > 0.
    rest = second + TICK
    assert calendar.add_business_time(halfway, rest) == calendar.add_business_time(
        start, first + rest
    )


def test_the_oracle_sees_the_holidays_the_calendars_use() -> None:
    florida = CALENDARS["us-florida"]
    thanksgiving_noon = datetime(2026, 11, 26, 17, tzinfo=UTC)
    assert date(2026, 11, 26) in florida.holidays
    assert not _oracle_open(florida, thanksgiving_noon)
    assert _oracle_open(florida, thanksgiving_noon - timedelta(days=2))
