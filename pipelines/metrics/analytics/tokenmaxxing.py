"""Tokenmaxxing signals: spend that grows without the output to show for it.

Three patterns, each on person-weeks:
- surge: a week's spend is at least SURGE_MULTIPLE times the person's own baseline (median of
  their previous BASELINE_WEEKS weeks) while their merged PRs stay at or below their baseline;
- tokens per PR: over the view, the person's tokens per merged PR are at least PER_PR_MULTIPLE times
  their team's median (the organization's when the team has fewer than MIN_TEAM_PEOPLE AI users);
- burst: AI use on at least BURST_DAYS days of the week, spread almost evenly over the whole week
  (daily-token coefficient of variation at most BURST_MAX_CV), with at least BURST_IDLE_DAYS days of
  AI use on which nothing shipped (no PR merged, no ticket resolved).
Teams see the share of their spend flagged. Per-person flags carry only person_key, in person_key
order (never ranked); the privacy layer shows a person's flags only to viewers allowed to see them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.metrics.analytics.panel import ratio_of_sums
from pipelines.metrics.estimates import Estimate

SURGE_MULTIPLE = 4.0
BASELINE_WEEKS = 8
MIN_BASELINE_WEEKS = 4
PER_PR_MULTIPLE = 20.0
MIN_TEAM_PEOPLE = 5
BURST_DAYS = 6
BURST_MAX_CV = 0.25
BURST_IDLE_DAYS = 2
METHOD = (
    f"Share of AI spend in person-weeks with any signal: spend ≥ {SURGE_MULTIPLE:g}× the person's median of "
    f"the previous {BASELINE_WEEKS} weeks with merged PRs not above their mean; tokens per merged PR ≥ "
    f"{PER_PR_MULTIPLE:g}× the team's median; AI use on ≥ {BURST_DAYS} days spread evenly (daily CV ≤ "
    f"{BURST_MAX_CV:g}) with ≥ {BURST_IDLE_DAYS} AI days without a PR merged or ticket resolved. 95% interval by the delta method, clustered by person."
)
CAVEAT = (
    "A signal is a prompt for a conversation, not a verdict: agents left running on a migration or an "
    "evaluation look the same, and output the warehouse does not see (design, reviews, incidents) is missing."
)


@dataclass(frozen=True)
class Tokenmaxxing:
    """`by_team`: team, people (with spend), flagged_share (of spend) with _low/_high, cost_usd, and the
    share flagged by each signal. `people`: person_key, team, cost_usd, flagged_cost_usd, surge_weeks,
    burst_weeks, high_tokens_per_pr, flagged (half or more of their spend flagged), in person_key order."""

    by_team: pl.DataFrame
    people: pl.DataFrame
    share: Estimate  # share of all spend in view that is flagged
    method: str = METHOD
    caveat: str = CAVEAT


def flag_weeks(panel: pl.DataFrame) -> pl.DataFrame:
    """The panel with boolean columns surge, high_tokens_per_pr, burst and flagged per person-week."""
    ordered = panel.sort("person_key", "week")
    previous = pl.when(pl.col("cost_usd") > 0).then(pl.col("cost_usd")).shift(1)  # weeks with spend only
    baseline_cost = previous.rolling_median(BASELINE_WEEKS, min_samples=MIN_BASELINE_WEEKS).over("person_key")
    baseline_prs = (
        pl.when(pl.col("cost_usd") > 0)
        .then(pl.col("merged_prs"))
        .shift(1)
        .rolling_mean(BASELINE_WEEKS, min_samples=MIN_BASELINE_WEEKS)
        .over("person_key")
    )
    ordered = ordered.with_columns(
        surge=(
            (baseline_cost > 0)
            & (pl.col("cost_usd") >= SURGE_MULTIPLE * baseline_cost)
            & (pl.col("merged_prs") <= baseline_prs)
        ).fill_null(False),
        burst=(
            (pl.col("ai_days") >= BURST_DAYS)
            & (pl.col("daily_token_cv") <= BURST_MAX_CV)
            & (pl.col("ai_days_without_output") >= BURST_IDLE_DAYS)
        ).fill_null(False),
    )
    per_person = (
        ordered.group_by("person_key", "team")
        .agg(tokens=pl.col("tokens").sum(), merged_prs=pl.col("merged_prs").sum())
        .filter(pl.col("tokens") > 0)
        .with_columns(tokens_per_pr=pl.col("tokens") / pl.col("merged_prs").clip(lower_bound=1))
    )
    organization = per_person["tokens_per_pr"].median()
    norms = per_person.group_by("team").agg(
        norm=pl.when(pl.len() >= MIN_TEAM_PEOPLE)
        .then(pl.col("tokens_per_pr").median())
        .otherwise(pl.lit(organization))
    )
    high = (
        per_person.join(norms, on="team")
        .filter(pl.col("tokens_per_pr") >= PER_PR_MULTIPLE * pl.col("norm"))
        .select("person_key", high_tokens_per_pr=pl.lit(True))
    )
    ordered = ordered.join(high, on="person_key", how="left").with_columns(
        high_tokens_per_pr=pl.col("high_tokens_per_pr").fill_null(False) & (pl.col("tokens") > 0)
    )
    return ordered.with_columns(flagged=pl.col("surge") | pl.col("high_tokens_per_pr") | pl.col("burst"))


def tokenmaxxing(panel: pl.DataFrame) -> Tokenmaxxing:
    weeks = flag_weeks(panel).with_columns(
        flagged_cost_usd=pl.when("flagged").then(pl.col("cost_usd")).otherwise(0.0),
        **{
            f"{s}_cost_usd": pl.when(s).then(pl.col("cost_usd")).otherwise(0.0)
            for s in ("surge", "high_tokens_per_pr", "burst")
        },
    )
    spenders = weeks.filter(pl.col("cost_usd") > 0)
    by_team = ratio_of_sums(spenders, ["team"], "flagged_cost_usd", "cost_usd", "flagged_share")
    signals = spenders.group_by("team").agg(
        *[
            (pl.col(f"{s}_cost_usd").sum() / pl.col("cost_usd").sum()).alias(f"{s}_share")
            for s in ("surge", "high_tokens_per_pr", "burst")
        ]
    )
    by_team = by_team.join(signals, on="team", how="left").sort("team")
    overall = ratio_of_sums(spenders, [], "flagged_cost_usd", "cost_usd", "flagged_share")
    people = (
        weeks.group_by("person_key", "team")
        .agg(
            cost_usd=pl.col("cost_usd").sum(),
            flagged_cost_usd=pl.col("flagged_cost_usd").sum(),
            surge_weeks=pl.col("surge").sum().cast(pl.Int64),
            burst_weeks=pl.col("burst").sum().cast(pl.Int64),
            high_tokens_per_pr=pl.col("high_tokens_per_pr").any(),
        )
        .filter(pl.col("cost_usd") > 0)
        .with_columns(flagged=pl.col("flagged_cost_usd") >= 0.5 * pl.col("cost_usd"))
        .sort("person_key")
    )
    n_people = spenders["person_key"].n_unique()
    if overall.is_empty() or overall["flagged_share"][0] is None:
        share = Estimate(None, None, spenders.height, n_people, METHOD, n_people, CAVEAT)
    else:
        row = overall.row(0, named=True)
        ci = (
            (row["flagged_share_low"], row["flagged_share_high"])
            if row["flagged_share_low"] is not None
            else None
        )
        share = Estimate(row["flagged_share"], ci, spenders.height, n_people, METHOD, n_people, CAVEAT)
    return Tokenmaxxing(by_team, people, share)
