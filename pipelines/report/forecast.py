"""When will adoption reach its target? A straight line through the latest weeks, with its interval.

The slope's 95% interval (t distribution, n - 2 degrees of freedom) turns into a range of weeks;
a line that is flat or falling, or that needs more than two years, is said to be not on track.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from scipy import stats

TREND_WEEKS = 8  # the forecast fits a straight line to this many latest weeks
HORIZON_WEEKS = 104  # beyond two years a straight-line date means nothing


@dataclass(frozen=True)
class Forecast:
    """When the adoption target is reached on a straight line through the latest weeks."""

    status: str  # "reached" | "on_track" | "not_on_trend" | "too_few_weeks"
    week: date | None = None  # the first week at or above the target on the fitted line
    earliest: date | None = None  # with the slope at the top of its 95% interval
    latest: date | None = None  # with the slope at the bottom; None when that slope is not rising
    slope_per_week: float | None = None
    weeks_used: int = 0


def adoption_forecast(
    weekly: tuple[tuple[date, float], ...], target: float, trend_weeks: int = TREND_WEEKS
) -> Forecast:
    """A least-squares line through the last trend_weeks weeks, solved for the target."""
    if weekly and weekly[-1][1] >= target:
        return Forecast("reached", week=weekly[-1][0])
    recent = weekly[-trend_weeks:]
    if len(recent) < 3:
        return Forecast("too_few_weeks", weeks_used=len(recent))
    x = [float(i) for i in range(len(recent))]
    y = [rate for _, rate in recent]
    fit = stats.linregress(x, y)
    slope = float(fit.slope)
    half = float(stats.t.ppf(0.975, len(recent) - 2) * fit.stderr)
    last_week, last_x = recent[-1][0], x[-1]

    def week_at(slope: float) -> date | None:
        # the line through the fitted centre with this slope, solved for the target
        centre_x, centre_y = sum(x) / len(x), sum(y) / len(y)
        if slope <= 0:
            return None
        # the 1e-9 keeps float noise from pushing an exact hit into the following week
        ahead = max(1, math.ceil((target - centre_y) / slope + centre_x - last_x - 1e-9))
        return None if ahead > HORIZON_WEEKS else last_week + timedelta(weeks=ahead)

    week = week_at(slope)
    if week is None:
        return Forecast("not_on_trend", slope_per_week=slope, weeks_used=len(recent))
    return Forecast(
        "on_track",
        week=week,
        earliest=week_at(slope + half),
        latest=week_at(slope - half),
        slope_per_week=slope,
        weeks_used=len(recent),
    )
