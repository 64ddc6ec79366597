"""Diminishing returns: three curves of weekly output against weekly spend, compared by AIC.

Each AI user is one point (mean weekly spend, mean weekly merged PRs). The curves differ in what
happens at high spend: a power law keeps growing ever more slowly, log-saturation grows with the
logarithm, Michaelis–Menten levels off at a ceiling. The marginal cost of one more merged PR is
1 / slope of the best curve at each spend decile's median spend.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.optimize import curve_fit

FAMILIES: dict[str, Callable[..., np.ndarray]] = {
    "power law": lambda x, a, b: a * np.power(x, b),
    "log-saturation": lambda x, a, b, c: a + b * np.log1p(x / c),
    "Michaelis–Menten": lambda x, a, v, k: a + v * x / (k + x),
}
FORMULAS = {
    "power law": "y = a·x^b",
    "log-saturation": "y = a + b·ln(1 + x/c)",
    "Michaelis–Menten": "y = a + v·x/(k + x)",
}
METHOD = (
    "Least-squares fits (scipy curve_fit) of each AI user's mean weekly merged PRs on their mean weekly spend; "
    "AIC = n·ln(RSS/n) + 2(parameters + 1), lower is better; marginal cost = 1 / the best curve's slope at each "
    "spend decile's median, 95% interval by the delta method."
)
CAVEAT = (
    "A curve across people, not within them: heavier spenders differ in other ways, so the slope is what "
    "spend comes with, not what one more dollar would buy; the within-person marginal cost uses the "
    "within-person elasticity instead."
)


@dataclass(frozen=True)
class CurveFits:
    """`fits`: one row per family with formula, parameters (text), aic, delta_aic and best.
    `marginal`: one row per spend decile with people, median_weekly_spend, median_weekly_merged_prs,
    marginal_cost_per_merged_pr and its ci_low, ci_high (USD), from the best curve.
    `points`: the curves on a grid of spend, for charts (spend, and one column per family)."""

    fits: pl.DataFrame
    marginal: pl.DataFrame
    points: pl.DataFrame
    best: str | None
    people: int
    method: str = METHOD
    caveat: str = CAVEAT
    parameters: tuple[float, ...] = ()  # the best curve's
    covariance: tuple[tuple[float, ...], ...] = ()  # of the best curve's parameters (for intervals)

    def predict(self, spend: np.ndarray) -> np.ndarray | None:
        """Weekly merged PRs the best curve predicts at each weekly spend (USD); None without a curve."""
        if self.best is None or not self.parameters:
            return None
        with np.errstate(all="ignore"):
            return FAMILIES[self.best](np.asarray(spend, dtype=float), *self.parameters)


def spend_output_means(panel_frame: pl.DataFrame) -> pl.DataFrame:
    """One row per AI user: mean weekly spend (USD) and mean weekly merged PRs over their weeks in view."""
    return (
        panel_frame.group_by("person_key")
        .agg(
            mean_weekly_spend=pl.col("cost_usd").mean(),
            mean_weekly_merged_prs=pl.col("merged_prs").mean(),
            ai_rows=pl.col("ai_rows").sum(),
        )
        .filter(pl.col("ai_rows") > 0)
        .drop("ai_rows")
    )


def _start(name: str, x: np.ndarray, y: np.ndarray) -> list[float]:
    positive = y > 0
    slope, intercept = (
        np.polyfit(np.log(x[positive]), np.log(y[positive]), 1) if positive.sum() > 2 else (0.3, 0.0)
    )
    low, high, middle = np.quantile(y, 0.1), np.quantile(y, 0.9), float(np.median(x))
    if name == "power law":
        return [float(np.exp(intercept)), float(slope)]
    if name == "log-saturation":
        return [float(low), float(max(high - low, 1e-3)), middle]
    return [float(low), float(max(high - low, 1e-3) * 1.5), middle]


def fit(name: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(parameters, covariance, AIC) or None when the fit does not converge."""
    f = FAMILIES[name]
    start = _start(name, x, y)
    lower = [-np.inf, -np.inf] if name == "power law" else [-np.inf, -np.inf, 1e-9]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            params, cov = curve_fit(f, x, y, p0=start, bounds=(lower, np.inf), maxfev=5000)
        except (RuntimeError, ValueError):
            return None
    rss = float(np.sum((y - f(x, *params)) ** 2))
    if not np.isfinite(rss) or rss <= 0:
        return None
    return params, cov, len(x) * np.log(rss / len(x)) + 2 * (len(params) + 1)


def _slope(name: str, x: float, params: np.ndarray) -> float:
    step = max(x * 1e-4, 1e-9)
    f = FAMILIES[name]
    return (
        float((f(x + step, *params) - f(x - step, *params)) / (2 * step))
        if x > step
        else float((f(x + step, *params) - f(x, *params)) / step)
    )


def marginal_cost(
    name: str, x: float, params: np.ndarray, cov: np.ndarray
) -> tuple[float | None, tuple | None]:
    """1 / slope at x, with a delta-method 95% interval (None where the curve is flat or falling)."""
    slope = _slope(name, x, params)
    if not np.isfinite(slope) or slope <= 0:
        return None, None
    value = 1 / slope
    gradient = np.empty(len(params))
    for i, p in enumerate(params):
        h = max(abs(p) * 1e-5, 1e-8)
        up, down = params.copy(), params.copy()
        up[i], down[i] = p + h, p - h
        s_up, s_down = _slope(name, x, up), _slope(name, x, down)
        gradient[i] = (1 / s_up - 1 / s_down) / (2 * h) if s_up > 0 and s_down > 0 else np.nan
    variance = float(gradient @ cov @ gradient)
    if not np.isfinite(variance) or variance < 0:
        return value, None
    se = np.sqrt(variance)
    return value, (max(value - 1.96 * se, 0.0), value + 1.96 * se)


def curves(people: pl.DataFrame) -> CurveFits:
    """`people`: one row per AI user with mean_weekly_spend (USD) and mean_weekly_merged_prs."""
    used = people.filter(pl.col("mean_weekly_spend") > 0).sort("mean_weekly_spend")
    n = used.height
    empty = pl.DataFrame()
    if n < 20:
        return CurveFits(empty, empty, empty, None, n)
    x = used["mean_weekly_spend"].to_numpy().astype(float)
    y = used["mean_weekly_merged_prs"].to_numpy().astype(float)
    results = {name: fit(name, x, y) for name in FAMILIES}
    fitted = {name: r for name, r in results.items() if r is not None}
    if not fitted:
        return CurveFits(empty, empty, empty, None, n)
    best = min(fitted, key=lambda name: fitted[name][2])
    fits = pl.DataFrame(
        {
            "family": list(fitted),
            "formula": [FORMULAS[name] for name in fitted],
            "parameters": [", ".join(f"{p:.4g}" for p in fitted[name][0]) for name in fitted],
            "aic": [float(fitted[name][2]) for name in fitted],
        }
    ).with_columns(delta_aic=pl.col("aic") - pl.col("aic").min(), best=pl.col("family") == best)
    decile = np.minimum(np.arange(n) * 10 // n, 9) + 1
    by_decile = (
        used.with_columns(decile=pl.Series(decile))
        .group_by("decile")
        .agg(
            people=pl.len(),
            median_weekly_spend=pl.col("mean_weekly_spend").median(),
            median_weekly_merged_prs=pl.col("mean_weekly_merged_prs").median(),
            # the decile's means: the curves fit means, so these are the points they are drawn against
            mean_weekly_spend=pl.col("mean_weekly_spend").mean(),
            mean_weekly_merged_prs=pl.col("mean_weekly_merged_prs").mean(),
        )
        .sort("decile")
    )
    params, cov, _ = fitted[best]
    costs = [marginal_cost(best, float(s), params, cov) for s in by_decile["median_weekly_spend"]]
    marginal = by_decile.with_columns(
        marginal_cost_per_merged_pr=pl.Series([c[0] for c in costs], dtype=pl.Float64),
        ci_low=pl.Series([c[1][0] if c[1] else None for c in costs], dtype=pl.Float64),
        ci_high=pl.Series([c[1][1] if c[1] else None for c in costs], dtype=pl.Float64),
    )
    # the grid spans the lowest and highest deciles' mean spend: a mean over a decile, never one
    # person's value, is where the drawn curve starts and ends
    ends = (
        used.with_columns(decile=pl.Series(decile)).group_by("decile").agg(pl.col("mean_weekly_spend").mean())
    )
    grid = np.geomspace(float(ends["mean_weekly_spend"].min()), float(ends["mean_weekly_spend"].max()), 60)
    points = pl.DataFrame(
        {"spend": grid, **{name: FAMILIES[name](grid, *r[0]) for name, r in fitted.items()}}
    )
    return CurveFits(
        fits,
        marginal,
        points,
        best,
        n,
        parameters=tuple(float(p) for p in params),
        covariance=tuple(tuple(float(c) for c in row) for row in cov),
    )
