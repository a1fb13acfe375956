"""Business calendars: when the clock of an SLA runs.

A calendar is a time zone, opening hours per weekday in local wall-clock time, and holidays (local
dates). Each open day becomes a list of UTC intervals, so all arithmetic is on real elapsed time and
stays exact across DST changes: a day whose hours straddle a change is simply shorter or longer.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bridge.domain.errors import InvalidCalendar

# An end of 00:00 means midnight at the end of the day ("24:00").
Span = tuple[time, time]
Interval = tuple[datetime, datetime]

ONE_DAY = timedelta(days=1)
# Guard against calendars that never open (every day a holiday): give up after ten years.
MAX_DAYS_WITHOUT_HOURS = 3660


def _require_aware(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        msg = f"{name} must be timezone-aware, got naive {instant.isoformat()}"
        raise ValueError(msg)
    return instant.astimezone(UTC)


def _offset(moment: time) -> timedelta:
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _span_length(span: Span) -> timedelta:
    start, end = span
    end_offset = ONE_DAY if end == time(0) else _offset(end)
    return end_offset - _offset(start)


class BusinessCalendar:
    """Opening hours of one region, e.g. Mon-Fri 09:00-17:00 in Europe/London minus holidays.

    `weekly_hours` maps a weekday (0 = Monday) to its open spans in local time; days not mapped
    are closed. `holidays` is any container of local dates (a frozenset, or a `holidays` object
    built by the adapter). `always_open` makes a 24x7 calendar that ignores both.
    Results are returned as UTC datetimes; inputs may be in any time zone but must be aware.
    """

    def __init__(
        self,
        tz: str,
        weekly_hours: Mapping[int, Sequence[Span]],
        holidays: Container[date] = frozenset(),
        *,
        always_open: bool = False,
        name: str = "",
    ) -> None:
        try:
            self.zone = ZoneInfo(tz)
        except (ValueError, KeyError) as exc:
            msg = f"unknown time zone {tz!r}"
            raise InvalidCalendar(msg) from exc
        self.tz = tz
        self.name = name or tz
        self.always_open = always_open
        self.holidays = holidays
        self.weekly_hours = {day: tuple(spans) for day, spans in weekly_hours.items()}
        self._check_hours()
        self._days: dict[date, tuple[Interval, ...]] = {}

    @classmethod
    def twenty_four_seven(cls, tz: str = "UTC", *, name: str = "24x7") -> BusinessCalendar:
        return cls(tz, {}, always_open=True, name=name)

    def __repr__(self) -> str:
        return f"BusinessCalendar(name={self.name!r}, tz={self.tz!r})"

    def _check_hours(self) -> None:
        for day, spans in self.weekly_hours.items():
            if day not in range(7):
                msg = f"calendar {self.name}: weekday {day} is not 0 (Monday) .. 6 (Sunday)"
                raise InvalidCalendar(msg)
            previous_end = timedelta(0)
            for span in spans:
                start = _offset(span[0])
                if _span_length(span) <= timedelta(0) or start < previous_end:
                    msg = f"calendar {self.name}: weekday {day} has an empty or overlapping span"
                    raise InvalidCalendar(msg)
                previous_end = start + _span_length(span)
        if not self.always_open and not any(self.weekly_hours.values()):
            msg = f"calendar {self.name} is never open: give it weekly hours or make it 24x7"
            raise InvalidCalendar(msg)

    @property
    def business_day(self) -> timedelta:
        """The length of a full business day, used for targets given in business days."""
        if self.always_open:
            return ONE_DAY
        return max(
            sum((_span_length(s) for s in spans), timedelta(0))
            for spans in self.weekly_hours.values()
        )

    def intervals(self, day: date) -> tuple[Interval, ...]:
        """The open intervals of a local date, as UTC instants (empty on holidays)."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        spans = self.weekly_hours.get(day.weekday(), ())
        result: list[Interval] = []
        if spans and day not in self.holidays:
            for start, end in spans:
                end_day = day + ONE_DAY if end == time(0) else day
                opens = self._first_instant(datetime.combine(day, start))
                closes = self._first_instant(datetime.combine(end_day, end))
                # A span inside a skipped DST hour collapses; it holds no business time.
                if closes > opens:
                    result.append((opens, closes))
        self._days[day] = tuple(result)
        return self._days[day]

    def _first_instant(self, wall_time: datetime) -> datetime:
        """The first UTC instant at which the local clock shows `wall_time` (or has passed it).

        A repeated wall time (clocks going back) gives its first occurrence; a skipped one
        (clocks going forward) gives the moment of the jump, found by bisection over seconds.
        """
        instant = wall_time.replace(tzinfo=self.zone).astimezone(UTC)
        if instant.astimezone(self.zone).replace(tzinfo=None) == wall_time:
            return instant
        low = int(wall_time.replace(tzinfo=self.zone, fold=1).timestamp())
        high = int(instant.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            shown = datetime.fromtimestamp(middle, self.zone).replace(tzinfo=None)
            low, high = (low, middle) if shown >= wall_time else (middle, high)
        return datetime.fromtimestamp(high, UTC)

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def is_open(self, at: datetime) -> bool:
        instant = _require_aware(at, "at")
        if self.always_open:
            return True
        return any(s <= instant < e for s, e in self.intervals(self._local_date(instant)))

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of business time has passed since `start`.

        A zero duration gives the next open instant (start itself when open).
        """
        if duration < timedelta(0):
            msg = f"cannot add a negative business duration ({duration})"
            raise ValueError(msg)
        current = _require_aware(start, "start")
        if self.always_open:
            return current + duration
        remaining = duration
        day = self._local_date(current)
        for _ in range(MAX_DAYS_WITHOUT_HOURS):
            for opens, closes in self.intervals(day):
                if closes <= current:
                    continue
                current = max(current, opens)
                available = closes - current
                if remaining <= available:
                    return current + remaining
                remaining -= available
                current = closes
            day += ONE_DAY
        msg = f"calendar {self.name} has no business hours for {MAX_DAYS_WITHOUT_HOURS} days"
        raise InvalidCalendar(msg)

    def business_duration(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (negative when `end` is before `start`)."""
        begin, finish = _require_aware(start, "start"), _require_aware(end, "end")
        if finish < begin:
            return -self.business_duration(finish, begin)
        if self.always_open:
            return finish - begin
        total = timedelta(0)
        day, last = self._local_date(begin), self._local_date(finish)
        while day <= last:
            for opens, closes in self.intervals(day):
                overlap = min(closes, finish) - max(opens, begin)
                if overlap > timedelta(0):
                    total += overlap
            day += ONE_DAY
        return total
