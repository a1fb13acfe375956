"""The week and percentile arithmetic of insights: ISO weeks in UTC, nearest-rank percentiles."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.insights import (
    last_completed_week,
    nearest_rank,
    ratio,
    week_of,
    weeks_until,
)

UTC = dt.UTC


def test_a_week_runs_from_monday_midnight_utc_and_is_named_by_its_iso_number() -> None:
    sunday_late = dt.datetime(2026, 11, 15, 23, 59, 59, tzinfo=UTC)
    monday = dt.datetime(2026, 11, 16, tzinfo=UTC)
    assert week_of(sunday_late).label == "2026-W46"
    assert week_of(monday).label == "2026-W47"
    assert week_of(monday).start == monday
    # Monday 00:30 in Paris is still Sunday in UTC: the week is UTC's, whoever asks.
    paris = dt.datetime(2026, 11, 16, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert week_of(paris).label == "2026-W46"
    assert week_of(dt.datetime(2027, 1, 1, tzinfo=UTC)).label == "2026-W53"


def test_weeks_end_with_the_running_one_and_the_last_completed_is_before_it() -> None:
    now = dt.datetime(2026, 11, 18, 12, tzinfo=UTC)
    assert [week.label for week in weeks_until(now, 3)] == ["2026-W45", "2026-W46", "2026-W47"]
    assert last_completed_week(now).label == "2026-W46"
    with pytest.raises(ValueError, match="at least one week"):
        weeks_until(now, 0)


def test_nearest_rank_takes_a_measured_value() -> None:
    assert nearest_rank([], 50) is None
    assert nearest_rank([3600, 21600], 50) == 3600  # rank ceil(1.0) = 1
    assert nearest_rank([3600, 21600], 90) == 21600  # rank ceil(1.8) = 2
    assert nearest_rank(range(1, 11), 90) == 9  # rank 9 of 10, no rounding error
    assert nearest_rank(range(1, 21), 50) == 10
    assert ratio(1, 3) == pytest.approx(1 / 3)
    assert ratio(0, 0) is None


@given(st.lists(st.integers(0, 10**6), min_size=1), st.integers(1, 100))
def test_a_percentile_is_one_of_the_values_with_enough_at_or_below_it(
    values: list[int], percent: int
) -> None:
    found = nearest_rank(values, percent)
    assert found in values
    at_or_below = sum(value <= found for value in values)
    assert at_or_below * 100 >= percent * len(values)
    assert sum(value < found for value in values) * 100 < percent * len(values)
