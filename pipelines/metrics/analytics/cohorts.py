"""Honest cohorts: deciles of AI users defined on a prior window, outcomes measured in a later one.

Deciles defined and measured on the same weeks flatter the top: a person lands in the top decile
partly because their tokens (and output) were high by chance that period, and chance does not
repeat. Defining the decile on the first half of the view and measuring in the second half keeps
the luck of the first half out of the figures (regression to the mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.metrics.estimates import Estimate

RESAMPLES = 400
METHOD = (
    "AI users in deciles of mean weekly tokens over the first half of the weeks in view; token and merged-PR "
    "multiples = each decile's median over the second half ÷ the median of all of them; 95% intervals from "
    f"{RESAMPLES} bootstrap resamples of people."
)
SAME_WINDOW_METHOD = METHOD.replace("over the second half", "over the same weeks").replace(
    "first half of the weeks in view", "weeks in view"
)
CAVEAT = (
    "Compares different people, so the multiples describe who uses more AI, not what more AI would do for "
    "one person; the within-person elasticity and the event study address that."
)


@dataclass(frozen=True)
class Cohorts:
    """`deciles`: decile, people, prior_median_weekly_tokens, median_weekly_tokens,
    median_weekly_merged_prs, token_multiple, output_multiple (the later window's figures)."""

    deciles: pl.DataFrame
    token_multiple: Estimate  # top decile
    output_multiple: Estimate  # top decile
    prior_weeks: tuple[object, object] | None  # first and last week of the window deciles come from
    later_weeks: tuple[object, object] | None  # ... and of the window outcomes come from


def person_windows(panel: pl.DataFrame, same_window: bool = False) -> tuple[pl.DataFrame, tuple, tuple]:
    """One row per person: mean weekly tokens in the prior window, and mean weekly tokens and merged
    PRs in the later window (the same window when `same_window`). People must be in scope in both
    and use AI in the prior window."""
    weeks = panel["week"].unique().sort()
    if weeks.len() < 2:
        return pl.DataFrame(), (), ()
    half = weeks.len() // 2
    prior, later = (weeks, weeks) if same_window else (weeks[:half], weeks[half:])

    def means(window: pl.Series, suffix: str) -> pl.DataFrame:
        return (
            panel.filter(pl.col("week").is_in(window.implode()))
            .group_by("person_key")
            .agg(
                pl.col("tokens").mean().alias(f"tokens_{suffix}"),
                pl.col("merged_prs").mean().alias(f"merged_prs_{suffix}"),
            )
        )

    people = (
        means(prior, "prior").join(means(later, "later"), on="person_key").filter(pl.col("tokens_prior") > 0)
    )
    return people.sort("tokens_prior", "person_key"), (prior[0], prior[-1]), (later[0], later[-1])


def cohorts(
    panel: pl.DataFrame, same_window: bool = False, resamples: int = RESAMPLES, seed: int = 20260105
) -> Cohorts:
    method = SAME_WINDOW_METHOD if same_window else METHOD
    people, prior, later = person_windows(panel, same_window)
    n = people.height
    if n < 10:
        none = Estimate(None, None, n, n, method, n, CAVEAT)
        return Cohorts(pl.DataFrame(), none, none, prior or None, later or None)
    decile = np.minimum(np.arange(n) * 10 // n, 9) + 1  # equal-count deciles in prior-token order
    tokens = people["tokens_later"].to_numpy()
    output = people["merged_prs_later"].to_numpy()
    table = (
        people.with_columns(decile=pl.Series(decile))
        .group_by("decile")
        .agg(
            people=pl.len(),
            prior_median_weekly_tokens=pl.col("tokens_prior").median(),
            median_weekly_tokens=pl.col("tokens_later").median(),
            median_weekly_merged_prs=pl.col("merged_prs_later").median(),
        )
        .sort("decile")
        .with_columns(
            token_multiple=pl.col("median_weekly_tokens") / float(np.median(tokens))
            if np.median(tokens)
            else None,
            output_multiple=pl.col("median_weekly_merged_prs") / float(np.median(output))
            if np.median(output)
            else None,
        )
    )
    top = decile == 10
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        index = rng.integers(0, n, n)
        in_top = index[top[index]]
        if in_top.size == 0:
            continue
        draws.append(
            [
                np.median(values[in_top]) / m if (m := np.median(values[index])) > 0 else np.nan
                for values in (tokens, output)
            ]
        )
    draws_array = np.array(draws)

    def estimate(column: int, point: float | None) -> Estimate:
        values = draws_array[:, column] if draws_array.size else np.array([])
        values = values[np.isfinite(values)]
        ci = (
            (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5)))
            if values.size > resamples // 2
            else None
        )
        return Estimate(point, ci if point is not None else None, n, n, method, n, CAVEAT)

    top_row = table.filter(pl.col("decile") == 10)
    return Cohorts(
        table,
        estimate(0, top_row["token_multiple"][0] if top_row.height else None),
        estimate(1, top_row["output_multiple"][0] if top_row.height else None),
        prior,
        later,
    )
