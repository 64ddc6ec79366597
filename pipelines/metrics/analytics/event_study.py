"""The adoption event study: what happens to a person's merged PRs after their first AI week.

Staggered adoption breaks the classic two-way fixed-effects regression (already-adopted people end up
as controls). This is the imputation estimator of Borusyak, Jaravel & Spiess (2024) and Gardner
(2021): a model of output without AI is fitted on person-weeks with no AI yet — people who have not
adopted yet (and those who never do) — and the effect in each week since adoption is the average of
actual minus imputed output. The `LEADS` weeks just before adoption are left out of that fit, so
their residuals are an honest pre-trend check: they should be near zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.metrics.estimates import Estimate

LEADS = 4  # weeks before adoption shown as the pre-trend check (kept out of the no-AI model)
LAGS = 12  # weeks after adoption shown one by one; later weeks are pooled into the last bin
METHOD = (
    "Imputation difference-in-differences for staggered adoption (Borusyak, Jaravel & Spiess 2024): "
    "weekly merged PRs without AI modelled with person and week fixed effects (least squares) on "
    f"person-weeks of people not yet adopted (and never adopted), leaving out the {LEADS} weeks before "
    "adoption; effect = actual − imputed output, per week since the first AI week; standard errors "
    "clustered by person, including the uncertainty of the imputation (BJS Theorem 3); % = effect / imputed output, "
    "its interval by the delta method with the imputed output's own uncertainty."
)
CAVEAT = (
    "Assumes people who adopt later are a fair comparison for people who adopt earlier (parallel trends; "
    "the pre-adoption weeks test that). People already using AI in their first week in view have no "
    "before and are left out. It measures adopting AI as people did, with whatever else changed with it."
)


@dataclass(frozen=True)
class EventStudy:
    """`effects`: one row per week since adoption (event_time, negative = before) with effect
    (merged PRs per week), ci_low, ci_high, effect_pct, pct_low, pct_high, imputed (mean output without
    AI, the % base), n (person-weeks) and people;
    the last row pools every week from LAGS on. `average` is the mean effect after adoption, in %."""

    effects: pl.DataFrame
    average: Estimate  # % change in weekly merged PRs after adoption (value and ci95 in %)
    average_prs: Estimate  # the same in merged PRs per person-week
    adopters: int  # people with an adoption week in view and weeks before it
    controls: int  # people who never adopt in the data


def _empty(adopters: int = 0, controls: int = 0) -> EventStudy:
    schema = {
        "event_time": pl.Int64,
        "effect": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "effect_pct": pl.Float64,
        "pct_low": pl.Float64,
        "pct_high": pl.Float64,
        "imputed": pl.Float64,
        "n": pl.UInt32,
        "people": pl.UInt32,
    }
    none = Estimate(None, None, 0, 0, METHOD, 0, CAVEAT)
    return EventStudy(pl.DataFrame(schema=schema), none, none, adopters, controls)


def prepare(panel: pl.DataFrame, outcome: str = "merged_prs") -> pl.DataFrame:
    """The event-study sample: adopters with weeks before adoption, and never-adopters.
    `event_time` is weeks since the first AI week (null for never-adopters); `clean` marks the
    person-weeks the no-AI model is fitted on."""
    weeks_since = ((pl.col("week") - pl.col("adopted")).dt.total_days() // 7).cast(pl.Int64)
    data = panel.filter(
        pl.col("adopted").is_null() | (pl.col("adopted") > pl.col("first_week"))
    ).with_columns(y=pl.col(outcome).cast(pl.Float64), event_time=weeks_since)
    clean = pl.col("event_time").is_null() | (pl.col("event_time") < -LEADS)
    data = data.with_columns(clean=clean)
    # a person's fixed effect needs at least one clean week, and a week's needs a clean person
    data = data.filter(pl.col("clean").any().over("person_key") & pl.col("clean").any().over("week"))
    return data


def event_study(panel: pl.DataFrame, outcome: str = "merged_prs") -> EventStudy:
    data = prepare(panel, outcome)
    adopters = data.filter(pl.col("event_time").is_not_null())["person_key"].n_unique()
    controls = data.filter(pl.col("adopted").is_null())["person_key"].n_unique()
    shown = data.filter(pl.col("event_time") >= -LEADS)
    if adopters < 5 or data.filter("clean").height < 20 or shown.filter(pl.col("event_time") >= 0).is_empty():
        return _empty(adopters, controls)
    data = data.with_columns(
        person=pl.col("person_key").rank("dense").cast(pl.Int64) - 1,
        week_id=pl.col("week").rank("dense").cast(pl.Int64) - 1,
        bin=pl.col("event_time").clip(upper_bound=LAGS),
    )
    person, week = data["person"].to_numpy(), data["week_id"].to_numpy()
    clean = data["clean"].to_numpy()
    y = data["y"].to_numpy()
    person_effect, week_effect = two_way_effects(person, week, clean, np.where(clean, y, 0.0)[:, None])
    imputed = person_effect[person, 0] + week_effect[week, 0]
    data = data.with_columns(imputed=pl.Series(imputed), residual=pl.Series(y - imputed))
    return _summarise(data, adopters, controls)


def _summarise(data: pl.DataFrame, adopters: int, controls: int) -> EventStudy:
    """Effects per event-time bin and on average after adoption, with the standard errors of
    Borusyak, Jaravel & Spiess (2024, Theorem 3), clustered by person.

    Each effect is a weighted sum of outcomes, sum(v * y): on a shown person-week, v is 1 / (person-weeks
    in its bin); on a clean person-week, v is minus its share in imputing those weeks, which carries
    the uncertainty of the fitted person and week effects into the interval. The variance is the sum
    over people of (sum of v times residual)^2."""
    bins = sorted(data.filter(pl.col("bin") >= -LEADS)["bin"].unique().to_list())
    person = data["person"].to_numpy()
    week = data["week_id"].to_numpy()
    clean = data["clean"].to_numpy()
    bin_of = data["bin"].fill_null(-(LEADS + 1)).to_numpy()
    n_people = int(person.max()) + 1
    # the weights of every estimate, one column each: the bins, then the average after adoption
    targets = [bin_of == b for b in bins] + [~clean & (bin_of >= 0)]
    weights = np.column_stack([t / t.sum() for t in targets])
    v = np.where(clean[:, None], -_imputation_shares(person, week, clean, weights), weights)
    residual = data["residual"].to_numpy()
    effect = weights.T @ residual
    # treated residuals net of their own bin's effect, clean residuals as fitted
    bin_index = np.searchsorted(bins, bin_of).clip(max=len(bins) - 1)
    shown = np.isin(bin_of, bins) & ~clean
    noise = residual - np.where(shown, effect[:-1][bin_index], 0.0)
    per_person = _sum_by(person, v * noise[:, None], n_people)
    se = np.sqrt((per_person**2).sum(axis=0))
    base = weights.T @ data["imputed"].to_numpy()
    pct, pct_se = _percent(
        effect, base, per_person, _sum_by(person, np.where(clean[:, None], v, 0.0) * noise[:, None], n_people)
    )
    counts = [(int(t.sum()), int(np.unique(person[t]).size)) for t in targets]
    effects = pl.DataFrame(
        {
            "event_time": bins,
            "effect": effect[:-1],
            "ci_low": effect[:-1] - 1.96 * se[:-1],
            "ci_high": effect[:-1] + 1.96 * se[:-1],
            "effect_pct": pct[:-1],
            "pct_low": pct[:-1] - 1.96 * pct_se[:-1],
            "pct_high": pct[:-1] + 1.96 * pct_se[:-1],
            "imputed": base[:-1],
            "n": [c[0] for c in counts[:-1]],
            "people": [c[1] for c in counts[:-1]],
        },
        schema_overrides={"event_time": pl.Int64, "n": pl.UInt32, "people": pl.UInt32},
    )
    mean, error, (n, who) = float(effect[-1]), float(se[-1]), counts[-1]
    low, high = mean - 1.96 * error, mean + 1.96 * error
    prs = Estimate(mean, (low, high), n, who, METHOD, who, CAVEAT)
    if base[-1] <= 0:
        return EventStudy(effects, Estimate(None, None, n, who, METHOD, who, CAVEAT), prs, adopters, controls)
    average, spread = float(pct[-1]), float(pct_se[-1])
    pct_estimate = Estimate(
        average, (average - 1.96 * spread, average + 1.96 * spread), n, who, METHOD, who, CAVEAT
    )
    return EventStudy(effects, pct_estimate, prs, adopters, controls)


def _percent(
    effect: np.ndarray, base: np.ndarray, per_person: np.ndarray, clean_per_person: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """100 x effect / base and its standard error by the delta method, clustered by person.

    The base (mean imputed output) is itself estimated from the clean weeks, and it moves with the
    effect (effect = actual - base), so scaling the effect's interval by the base alone is too narrow
    for positive effects and too wide for negative ones. Each person's influence on the ratio is
    (their influence on the effect + r x their clean weeks' sum of v x residual) / base, r = effect / base:
    the base is minus the clean part of the effect's weights (v = -share on clean weeks)."""
    with np.errstate(all="ignore"):
        ratio = np.where(base > 0, effect / base, np.nan)
        influence = (per_person + ratio * clean_per_person) / np.where(base > 0, base, np.nan)
    return 100 * ratio, 100 * np.sqrt((influence**2).sum(axis=0))


def two_way_effects(
    person: np.ndarray, week: np.ndarray, clean: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Person and week effects (a, g) solving the least-squares normal equations of person + week
    dummies on the clean rows, Z0'Z0 (a, g) = Z' values, for each column of `values` (rows x columns;
    the right-hand side sums every row's values into its person and week).

    With values = y on clean rows this is the no-AI model (OLS of y on person and week fixed effects,
    which pyfixest's feols gives too; tests check they agree). The person block of Z0'Z0 is diagonal,
    so it is eliminated exactly and only a weeks x weeks system is left; its pseudo-inverse handles
    the one redundant dummy, which never changes a + g."""
    n_people, n_weeks = int(person.max()) + 1, int(week.max()) + 1
    per_person = np.bincount(person[clean], minlength=n_people).astype(float)  # clean weeks of each person
    cells = np.bincount(person[clean] * n_weeks + week[clean], minlength=n_people * n_weeks)
    cells = cells.reshape(n_people, n_weeks).astype(float)
    per_week = cells.sum(axis=0)
    rhs_person = _sum_by(person, values, n_people)
    rhs_week = _sum_by(week, values, n_weeks)
    safe = np.maximum(per_person, 1.0)[:, None]
    schur = np.diag(per_week) - cells.T @ (cells / safe)
    week_effect = np.linalg.pinv(schur) @ (rhs_week - cells.T @ (rhs_person / safe))
    person_effect = (rhs_person - cells @ week_effect) / safe
    return person_effect, week_effect


def _imputation_shares(
    person: np.ndarray, week: np.ndarray, clean: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """For each clean person-week, its weight in the imputed output that each column of `weights`
    averages: Z0 (Z0'Z0)^+ Z1' w, with Z the person and week dummies (BJS 2024, eq. 5)."""
    person_effect, week_effect = two_way_effects(person, week, clean, np.where(clean[:, None], 0.0, weights))
    return np.where(clean[:, None], person_effect[person] + week_effect[week], 0.0)


def _sum_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Column sums of `values` (rows x columns) grouped by `index` (0..size-1)."""
    return np.column_stack(
        [np.bincount(index, weights=values[:, j], minlength=size) for j in range(values.shape[1])]
    )
