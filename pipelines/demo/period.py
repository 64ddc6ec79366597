"""The demo's calendar: the ISO weeks (Monday to Sunday, UTC) it covers.

Every generator works in day and week indexes counted from the first Monday, and turns them
into dates or microsecond timestamps only when it writes, so the calendar lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

MICROS_PER_SECOND = 1_000_000
MICROS_PER_HOUR = 3_600 * MICROS_PER_SECOND
MICROS_PER_DAY = 24 * MICROS_PER_HOUR
_EPOCH = date(1970, 1, 1)


def most_recent_sunday_before(today: date) -> date:
    """The last Sunday strictly before `today` (a week earlier when today is a Sunday)."""
    days_back = (today.weekday() + 1) % 7 or 7
    return today - timedelta(days=days_back)


@dataclass(frozen=True)
class Period:
    """`weeks` whole ISO weeks starting on `first_monday`."""

    first_monday: date
    weeks: int

    @property
    def days(self) -> int:
        return self.weeks * 7

    @property
    def last_monday(self) -> date:
        return self.first_monday + timedelta(weeks=self.weeks - 1)

    @property
    def last_sunday(self) -> date:
        return self.first_monday + timedelta(days=self.days - 1)

    def day(self, day_index: int) -> date:
        return self.first_monday + timedelta(days=day_index)

    def day_start_micros(self, day_index: int | np.ndarray) -> int | np.ndarray:
        """Microseconds since the Unix epoch at 00:00 UTC of a day of the period."""
        first = (self.first_monday - _EPOCH).days
        return (first + day_index) * MICROS_PER_DAY


def period_ending(end: date | None, weeks: int) -> Period:
    """The `weeks` ISO weeks that end on Sunday `end` (default: the last Sunday before today, UTC)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if end is None:
        end = most_recent_sunday_before(datetime.now(UTC).date())
    if end.weekday() != 6:
        raise ValueError(f"end must be a Sunday (the last day of an ISO week), got {end} ({end:%A})")
    return Period(first_monday=end - timedelta(days=7 * weeks - 1), weeks=weeks)
