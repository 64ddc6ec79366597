"""The demo organization's person-week panel straight from its truth, without writing any file.

`generate` lays the truth out as requests, pull requests and tickets, and the build reads them
back; that takes seconds per organization. Simulation studies need hundreds of organizations, so
this draws the same org chart, adoption, selection, weekly wobble, ramp-up and planted tokenmaxxing
(`behaviour.py`) and returns the panel pipelines.metrics.analytics.panel would read, with merged PRs
~ Poisson(planned rate). Spend is tokens at one price with a lognormal weekly wobble for the model
mix, so it is a lighter model of the files, not a copy: tests on built warehouses stay the reference.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from pipelines.demo.behaviour import plan_behaviour
from pipelines.demo.habits import draw_habits
from pipelines.demo.org import ENGINEER, build_org
from pipelines.demo.period import period_ending

if TYPE_CHECKING:
    from pipelines.demo import DemoTruth

USD_PER_MILLION_TOKENS = 1.3  # a blended price: most tokens are cheap cache reads
SPEND_LOG_SD = 0.2  # the week's model mix moves spend around what its tokens alone would cost


def simulated_panel(truth: DemoTruth, people: int, weeks: int, seed: int, end: date) -> pl.DataFrame:
    """person_key, team, week, tokens, cost_usd, ai_rows, merged_prs, active_days, adopted, first_week and
    `planted` (a planted tokenmaxxing week), one row per person-week employed."""
    period = period_ending(end, weeks)
    rng = np.random.default_rng([seed, 1])
    org = build_org(people, period, rng)
    employed = org.employed_weeks(weeks)
    tokenmaxxer = np.zeros(people, dtype=bool)
    engineers = np.flatnonzero((org.role == ENGINEER) & employed.all(axis=1))  # as generate() picks them
    planted = min(round(truth.tokenmaxxer_share * people), len(engineers))
    tokenmaxxer[rng.choice(engineers, size=planted, replace=False)] = True
    # draw_habits expects the demo's outside contractor last: one extra entry, dropped at once
    habits = draw_habits(
        np.append(org.team, 0), weeks, np.append(tokenmaxxer, False), people, np.random.default_rng([seed, 2])
    )
    behaviour = plan_behaviour(
        org.role, employed, org.start_day // 7, habits.first_ai_week[:people], tokenmaxxer,
        np.ones(people, dtype=bool), truth, np.random.default_rng([seed, 3]),
    )  # fmt: skip
    draws = np.random.default_rng([seed, 4])
    merged = draws.poisson(behaviour.merged_pr_rate)
    wobble = np.exp(draws.normal(0.0, SPEND_LOG_SD, employed.shape))
    person, week = np.nonzero(employed)
    tokens = np.rint(behaviour.weekly_tokens[person, week])
    mondays = [period.first_monday + timedelta(weeks=w) for w in range(weeks)]
    frame = pl.DataFrame(
        {
            "person_key": [f"k{p:05d}" for p in person],
            "team": [org.team_names[t] for t in org.team[person]],
            "week": pl.Series([mondays[w] for w in week], dtype=pl.Date),
            "tokens": tokens.astype(np.int64),
            "cost_usd": tokens / 1e6 * USD_PER_MILLION_TOKENS * wobble[person, week],
            "ai_rows": (tokens > 0).astype(np.int64),
            "merged_prs": merged[person, week],
            "active_days": np.full(len(person), 5),
            "planted": behaviour.maxxing[person, week],
        }
    )
    firsts = frame.group_by("person_key").agg(
        adopted=pl.col("week").filter(pl.col("ai_rows") > 0).min(), first_week=pl.col("week").min()
    )
    return frame.join(firsts, on="person_key").sort("person_key", "week")
