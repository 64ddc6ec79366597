"""Writes ai_usage (one parquet file per day) and ai_activity.csv, one day at a time.

Only one day of requests is ever in memory, which is what lets a 10,000-person year (tens of
millions of rows) run in little memory. Each week and each day draws from its own seeded
stream, so the files do not depend on anything but the seed and the arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from pipelines.demo.activity import activity_day
from pipelines.demo.files import CsvAppender, clear_day_partitions, write_parquet
from pipelines.demo.usage import UsagePlan, usage_day, week_day_shares

WEEK_STREAM, DAY_STREAM = 101, 102


def write_days(
    out_dir: Path,
    plan: UsagePlan,
    merged_pr_rate: np.ndarray,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, int]:
    """(ai_usage rows, ai_activity rows) written."""
    usage_dir = out_dir / "ai_usage"
    clear_day_partitions(usage_dir)
    activity = CsvAppender(out_dir / "ai_activity.csv")
    usage_rows = 0
    total_days = plan.period.days
    try:
        for week in range(plan.period.weeks):
            shares = week_day_shares(plan, week, np.random.default_rng([seed, WEEK_STREAM, week]))
            for day in range(7 * week, 7 * week + 7):
                rng = np.random.default_rng([seed, DAY_STREAM, day])
                usage, segments = usage_day(plan, day, shares, rng)
                usage_rows += write_parquet(
                    usage, usage_dir / f"date={plan.period.day(day)}" / "part-0.parquet"
                )
                activity.append(activity_day(plan, merged_pr_rate, day, segments, rng))
                if progress is not None:
                    progress(day + 1, total_days)
    finally:
        activity.close()
    return usage_rows, activity.rows
