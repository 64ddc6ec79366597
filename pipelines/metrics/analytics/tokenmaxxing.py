"""Tokenmaxxing signals: a change within a person, measured against the organization's own curve.

Heavy use is not the signal. Under diminishing returns the heaviest users always have "more tokens
than their output shows", so a flag built on who spends the most points at the most productive
people. A person-week is flagged only when all three hold:
- a jump: spend reaches JUMP_MULTIPLE times the person's own baseline, the median of their last
  BASELINE_WEEKS weeks with spend that were not themselves raised (at least MIN_BASELINE_WEEKS of them;
  the first SETTLING_WEEKS weeks after a first AI week seen in view are ramp-up and never count);
- persistence: the run of weeks from the jump while spend holds at STAY_MULTIPLE times the baseline
  lasts at least PERSIST_WEEKS weeks, and its mean spend is at least JUMP_MULTIPLE times the baseline
  (LOOP_MULTIPLE for all three in round-the-clock weeks: agent loops, which ordinary use never looks like);
- no output to match: over the run, merged PRs are not measurably above what the organization's
  fitted spend-output curve (pipelines.metrics.analytics.curves), moved to pass through the person's
  own baseline, predicts for the run's spend, and never less than their baseline output (one-sided,
  OUTPUT_Z Poisson standard errors of slack).
Round-the-clock weeks (AI use on most days, spread evenly, with idle days) lower the jump a run
needs and are counted beside a flag, but never flag on their own. Teams see the share of their
spend flagged; per-person rows carry only person_key, in person_key order (never ranked), and the
privacy layer shows them only to viewers allowed to see that person. A flag is not a finding about
a person (docs/methods.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.metrics.analytics.curves import CurveFits, curves, spend_output_means
from pipelines.metrics.analytics.panel import ratio_of_sums
from pipelines.metrics.estimates import Estimate

JUMP_MULTIPLE = 3.0  # a run starts at this multiple of the baseline, and its mean must reach it
STAY_MULTIPLE = 2.5  # a run goes on while spend holds at this multiple
LOOP_MULTIPLE = 2.0  # in round-the-clock weeks (agent loops): starts, holds and averages a run
BASELINE_WEEKS = 12
MIN_BASELINE_WEEKS = 4
PERSIST_WEEKS = 4
SETTLING_WEEKS = 4  # a person's first weeks of AI use, when seen in view, are ramp-up: never a baseline
OUTPUT_Z = 1.64  # one-sided 95%: output must be measurably above the curve to clear a run
BURST_DAYS = 6
BURST_MAX_CV = 0.25
BURST_IDLE_DAYS = 2
METHOD = (
    f"Share of AI spend in flagged person-weeks. A week is flagged when it is part of a run of ≥ {PERSIST_WEEKS} "
    f"weeks in which the person's spend jumped to ≥ {JUMP_MULTIPLE:g}× their own median of up to {BASELINE_WEEKS} "
    f"earlier ordinary weeks, held at ≥ {STAY_MULTIPLE:g}× and averaged ≥ {JUMP_MULTIPLE:g}× ({LOOP_MULTIPLE:g}× for all "
    "three in round-the-clock weeks), "
    "while their merged PRs over those weeks are not measurably above what the organization's fitted "
    "spend-output curve predicts for that spend from their own baseline. 95% interval by the delta "
    "method, clustered by person."
)
CAVEAT = (
    "A flag is not a finding about a person: it is a prompt for a conversation about how tools are used. "
    "A new agent workflow, a migration or an evaluation left running, or output the warehouse does not "
    "see (design, reviews, incidents) look the same."
)


@dataclass(frozen=True)
class Tokenmaxxing:
    """`by_team`: team, people (with spend), flagged_share (of spend) with _low/_high, flagged_cost_usd,
    cost_usd and burst_share (share of spend in flagged weeks that ran round the clock).
    `people`: person_key, team, cost_usd, flagged_cost_usd, surge_weeks (flagged weeks), burst_weeks
    (of those, round the clock), spend_multiple (flagged weeks' mean spend over the baseline),
    flagged (any flagged week), in person_key order."""

    by_team: pl.DataFrame
    people: pl.DataFrame
    share: Estimate  # share of all spend in view that is flagged
    method: str = METHOD
    caveat: str = CAVEAT


def _matrices(panel: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(the panel's rows with person and week indexes and `burst`; spend, merged PRs (NaN: no row), settling
    (a week in the first SETTLING_WEEKS after a first AI week seen in view) and burst as people x weeks)."""
    burst = (
        (pl.col("ai_days") >= BURST_DAYS)
        & (pl.col("daily_token_cv") <= BURST_MAX_CV)
        & (pl.col("ai_days_without_output") >= BURST_IDLE_DAYS)
    ).fill_null(False)
    signals = {"ai_days", "daily_token_cv", "ai_days_without_output"} <= set(panel.columns)
    rows = panel.sort("person_key", "week").with_columns(
        burst=burst if signals else pl.lit(False),
        person=pl.col("person_key").rank("dense").cast(pl.Int64) - 1,
        week_id=pl.col("week").rank("dense").cast(pl.Int64) - 1,
    )
    shape = (int(rows["person"].max()) + 1, int(rows["week_id"].max()) + 1)
    spend, output = np.full(shape, np.nan), np.full(shape, np.nan)
    settling, loop = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    at = (rows["person"].to_numpy(), rows["week_id"].to_numpy())
    loop[at] = rows["burst"].to_numpy()
    spend[at] = rows["cost_usd"].cast(pl.Float64).to_numpy()
    output[at] = rows["merged_prs"].cast(pl.Float64).to_numpy()
    if {"adopted", "first_week"} <= set(rows.columns):
        seen_start = (pl.col("adopted") > pl.col("first_week")) & (
            pl.col("week") < pl.col("adopted") + pl.duration(weeks=SETTLING_WEEKS)
        )
        settling[at] = rows.select(seen_start.fill_null(False)).to_series().to_numpy()
    return rows, spend, output, settling, loop


def _baselines(
    spend: np.ndarray, output: np.ndarray, settling: np.ndarray, loop: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Per person-week: raised (bool), and the baseline spend, mean output and weeks it was taken over.
    A week is raised when spend reaches JUMP_MULTIPLE times the baseline, and stays raised while spend
    holds at STAY_MULTIPLE times it or more (so one quieter week does not split a run); in a round-the-clock
    week both are LOOP_MULTIPLE, as ordinary use is never spread evenly over the week. A raised week
    never enters later baselines, so a lasting jump stays measured against the history before it."""
    people, weeks = spend.shape
    history_spend = np.full((people, BASELINE_WEEKS), np.nan)
    history_output = np.full((people, BASELINE_WEEKS), np.nan)
    raised = np.zeros((people, weeks), dtype=bool)
    running = np.zeros(people, dtype=bool)
    base_spend, base_output, base_weeks = (np.full((people, weeks), np.nan) for _ in range(3))
    for week in range(weeks):
        counted = (~np.isnan(history_spend)).sum(axis=1)
        ready = counted >= MIN_BASELINE_WEEKS
        with np.errstate(all="ignore"):
            median = np.where(
                ready, np.nanmedian(np.where(ready[:, None], history_spend, 0.0), axis=1), np.nan
            )
            mean_output = np.where(
                ready, np.nanmean(np.where(ready[:, None], history_output, 0.0), axis=1), np.nan
            )
            multiple = np.where(ready & (median > 0), np.nan_to_num(spend[:, week]) / median, 0.0)
        spent = np.nan_to_num(spend[:, week]) > 0
        start = np.where(loop[:, week], LOOP_MULTIPLE, JUMP_MULTIPLE)
        hold = np.where(loop[:, week], LOOP_MULTIPLE, STAY_MULTIPLE)
        running = spent & np.where(running, multiple >= hold, multiple >= start)
        raised[:, week] = running
        base_spend[:, week], base_output[:, week], base_weeks[:, week] = median, mean_output, counted
        ordinary = spent & ~running & ~settling[:, week]
        history_spend[ordinary] = np.roll(history_spend[ordinary], -1, axis=1)
        history_output[ordinary] = np.roll(history_output[ordinary], -1, axis=1)
        history_spend[ordinary, -1] = spend[ordinary, week]
        history_output[ordinary, -1] = output[ordinary, week]
    return raised, base_spend, base_output, base_weeks


def _curve_ratio(fit: CurveFits, spend: float, baseline: float) -> float:
    """What the organization's curve predicts at `spend` over what it predicts at `baseline`, at least 1:
    a falling curve across people says more about who spends than about what spend does."""
    predicted = fit.predict(np.array([spend, baseline]))
    if predicted is None or not np.all(np.isfinite(predicted)) or predicted[1] <= 0:
        return 1.0
    return float(max(predicted[0] / predicted[1], 1.0))


def flag_weeks(panel: pl.DataFrame, fit: CurveFits | None = None) -> pl.DataFrame:
    """The panel with baseline_cost_usd, spend_multiple, expected_merged_prs (over the run), surge (a week of
    a persistent jump), burst (round the clock) and flagged (surge without the output to match)."""
    if panel.is_empty():
        return panel.with_columns(
            baseline_cost_usd=pl.lit(None, pl.Float64), spend_multiple=pl.lit(None, pl.Float64),
            expected_merged_prs=pl.lit(None, pl.Float64), surge=pl.lit(False), burst=pl.lit(False),
            flagged=pl.lit(False),
        )  # fmt: skip
    fit = fit or curves(spend_output_means(panel))
    rows, spend, output, settling, loop = _matrices(panel)
    raised, base_spend, base_output, base_weeks = _baselines(spend, output, settling, loop)
    surge = np.zeros_like(raised)
    flagged = np.zeros_like(raised)
    expected = np.full(raised.shape, np.nan)
    for person in np.flatnonzero(raised.sum(axis=1) >= PERSIST_WEEKS):
        padded = np.concatenate([[0], raised[person].astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(padded))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            if end - start < PERSIST_WEEKS:
                continue
            weeks = slice(start, end)
            baseline, before, n = (
                base_spend[person, start],
                base_output[person, start],
                base_weeks[person, start],
            )
            needed = LOOP_MULTIPLE if np.mean(loop[person, weeks]) >= 0.5 else JUMP_MULTIPLE
            if np.mean(spend[person, weeks]) < needed * baseline:
                continue
            surge[person, weeks] = True
            ratio = _curve_ratio(fit, float(np.mean(spend[person, weeks])), float(baseline))
            expect = before * ratio
            se = np.sqrt(max(expect, 0.5) / (end - start) + ratio**2 * max(before, 0.5) / n)
            expected[person, weeks] = expect
            flagged[person, weeks] = np.mean(output[person, weeks]) <= expect + OUTPUT_Z * se
    at = (rows["person"].to_numpy(), rows["week_id"].to_numpy())
    return rows.with_columns(
        baseline_cost_usd=pl.Series(base_spend[at]).fill_nan(None),
        spend_multiple=(pl.col("cost_usd") / pl.Series(base_spend[at]).fill_nan(None)),
        expected_merged_prs=pl.Series(expected[at]).fill_nan(None),
        surge=pl.Series(surge[at]),
        flagged=pl.Series(flagged[at]),
    ).drop("person", "week_id")


def tokenmaxxing(panel: pl.DataFrame, fit: CurveFits | None = None) -> Tokenmaxxing:
    weeks = flag_weeks(panel, fit).with_columns(
        flagged_cost_usd=pl.when("flagged").then(pl.col("cost_usd")).otherwise(0.0),
        burst_cost_usd=pl.when(pl.col("flagged") & pl.col("burst")).then(pl.col("cost_usd")).otherwise(0.0),
    )
    spenders = weeks.filter(pl.col("cost_usd") > 0)
    by_team = ratio_of_sums(spenders, ["team"], "flagged_cost_usd", "cost_usd", "flagged_share")
    bursts = spenders.group_by("team").agg(
        burst_share=pl.col("burst_cost_usd").sum() / pl.col("cost_usd").sum()
    )
    by_team = by_team.join(bursts, on="team", how="left").sort("team")
    overall = ratio_of_sums(spenders, [], "flagged_cost_usd", "cost_usd", "flagged_share")
    flagged_spend = pl.col("cost_usd").filter("flagged")
    people = (
        weeks.group_by("person_key", "team")
        .agg(
            cost_usd=pl.col("cost_usd").sum(),
            flagged_cost_usd=pl.col("flagged_cost_usd").sum(),
            surge_weeks=pl.col("flagged").sum().cast(pl.Int64),
            burst_weeks=(pl.col("flagged") & pl.col("burst")).sum().cast(pl.Int64),
            spend_multiple=flagged_spend.mean() / pl.col("baseline_cost_usd").filter("flagged").mean(),
        )
        .filter(pl.col("cost_usd") > 0)
        .with_columns(flagged=pl.col("surge_weeks") > 0)
        .sort("person_key")
    )
    n_people = spenders["person_key"].n_unique()
    if overall.is_empty() or overall["flagged_share"][0] is None:
        return Tokenmaxxing(
            by_team, people, Estimate(None, None, spenders.height, n_people, METHOD, n_people, CAVEAT)
        )
    row = overall.row(0, named=True)
    ci = (
        (row["flagged_share_low"], row["flagged_share_high"])
        if row["flagged_share_low"] is not None
        else None
    )
    share = Estimate(row["flagged_share"], ci, spenders.height, n_people, METHOD, n_people, CAVEAT)
    return Tokenmaxxing(by_team, people, share)
