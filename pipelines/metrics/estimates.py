"""Estimates with their uncertainty: the pooled elasticity and the top-decile multiples.

Each estimate carries a one-line method, shown wherever the number is shown.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl
import statsmodels.api as sm

ELASTICITY_METHOD = (
    "Poisson pseudo-maximum-likelihood of weekly merged PRs on ln(weekly tokens) over person-weeks with "
    "tokens > 0; standard errors clustered by person; 95% interval = estimate ± 1.96 SE."
)
ELASTICITY_CAVEAT = (
    "Pooled across people: it mixes people who differ from each other (engineers who ship more also tend to "
    "use more AI), so it describes an association, not what more tokens would cause."
)
MULTIPLE_METHOD = (
    "Medians of per-person mean weekly tokens and merged PRs in the top decile over the median AI user; "
    "95% interval from 400 bootstrap resamples of people."
)


@dataclass(frozen=True)
class Estimate:
    value: float | None
    ci95: tuple[float, float] | None
    n: int  # observations
    groups: int  # clusters (people, or teams where an estimate says so)
    method: str
    people: int | None = None  # distinct people behind the estimate, for the privacy layer's k threshold
    caveat: str = ""  # what the number cannot claim, shown beside it

    @property
    def available(self) -> bool:
        return self.value is not None


def pooled_elasticity(sample: pl.DataFrame) -> Estimate:
    """Poisson PPML of merged PRs on ln(tokens), clustered by person (statsmodels GLM)."""
    people = sample["person_key"].n_unique() if sample.height else 0
    if sample.height < 10 or people < 3 or sample["merged_prs"].sum() == 0:
        return Estimate(None, None, sample.height, people, ELASTICITY_METHOD, people, ELASTICITY_CAVEAT)
    y = sample["merged_prs"].to_numpy().astype(float)
    x = sm.add_constant(np.log(sample["total_tokens"].to_numpy().astype(float)))
    groups = sample["person_key"].cast(pl.Categorical).to_physical().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(cov_type="cluster", cov_kwds={"groups": groups})
    beta, se = float(fit.params[1]), float(fit.bse[1])
    if not np.isfinite(beta) or not np.isfinite(se):
        return Estimate(None, None, sample.height, people, ELASTICITY_METHOD, people, ELASTICITY_CAVEAT)
    ci95 = (beta - 1.96 * se, beta + 1.96 * se)
    return Estimate(beta, ci95, sample.height, people, ELASTICITY_METHOD, people, ELASTICITY_CAVEAT)


@dataclass(frozen=True)
class TopDecile:
    token_multiple: Estimate
    output_multiple: Estimate


def top_decile_multiples(means: pl.DataFrame, resamples: int = 400, seed: int = 20260101) -> TopDecile:
    """Top-decile token and output multiples with person-bootstrap 95% intervals."""
    n = means.height
    if n < 10:
        empty = Estimate(None, None, n, n, MULTIPLE_METHOD, n)
        return TopDecile(empty, empty)
    ordered = means.sort(["mean_weekly_tokens", "person_key"])
    tokens = ordered["mean_weekly_tokens"].to_numpy().astype(float)
    output = ordered["mean_weekly_merged_prs"].to_numpy().astype(float)
    point_t, point_o = (None if np.isnan(v) else v for v in _multiples(tokens, output, np.arange(n)))
    rng = np.random.default_rng(seed)
    draws = np.array([_multiples(tokens, output, np.sort(rng.integers(0, n, n))) for _ in range(resamples)])

    def estimate(point: float | None, column: int) -> Estimate:
        values = draws[:, column]
        values = values[np.isfinite(values)]
        if point is None or values.size < resamples // 2:
            return Estimate(point, None, n, n, MULTIPLE_METHOD, n)
        low, high = np.percentile(values, [2.5, 97.5])
        return Estimate(point, (float(low), float(high)), n, n, MULTIPLE_METHOD, n)

    return TopDecile(estimate(point_t, 0), estimate(point_o, 1))


def _multiples(tokens: np.ndarray, output: np.ndarray, index: np.ndarray) -> tuple[float, float]:
    """index is sorted, so the sample keeps the token order; the top decile is ntile(10) = 10.
    NaN where the overall median is zero."""
    t, o = tokens[index], output[index]
    top = slice(len(index) - len(index) // 10, None)
    median_t, median_o = np.median(t), np.median(o)
    token_multiple = float(np.median(t[top]) / median_t) if median_t > 0 else np.nan
    output_multiple = float(np.median(o[top]) / median_o) if median_o > 0 else np.nan
    return token_multiple, output_multiple
