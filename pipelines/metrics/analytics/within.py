"""The within-person elasticity: each person compared with themselves, beside the pooled estimate.

A pooled curve mixes strong engineers, who tend to use more AI, with everyone else. Person fixed
effects take out everything stable about a person (skill, role, team), and week fixed effects take
out what moves everyone at once (holidays, releases), so what is left is how a person's output moves
with their own tokens from week to week.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyfixest as pf
from scipy import stats

from pipelines.metrics import estimates
from pipelines.metrics.analytics import _quiet_pyfixest  # noqa: F401  (undoes pyfixest's logging.basicConfig)
from pipelines.metrics.estimates import Estimate

MIN_TEAMS_TO_CLUSTER_BY_TEAM = 20  # fewer clusters than this give unreliable cluster-robust errors
WITHIN_METHOD = (
    "Poisson pseudo-maximum-likelihood (pyfixest fepois) of weekly merged PRs on ln(weekly tokens) with "
    "person and week fixed effects, over person-weeks with tokens > 0{control}; standard errors clustered "
    "by {cluster}; 95% interval = estimate ± t(clusters − 1) SE (a small-sample correction beside CRV1's)."
)
WITHIN_CAVEAT = (
    "Compares each person with their own heavier and lighter weeks, so stable differences between people "
    "drop out; what changes from week to week (a deadline, a larger task) can still move tokens and output "
    "together, so it is an association within people, not a randomized effect."
)
EFFORT_CAVEAT = (
    "Active days include days with a PR or a ticket, which are partly the output itself, so this control "
    "leans toward zero; read it as a lower bound beside the estimate without it."
)
WHY_THEY_DIFFER = (
    "The pooled estimate compares different people: engineers who ship more also tend to use more AI, so "
    "it credits tokens with output those engineers would have shipped anyway. The within-person estimate "
    "compares each person with themselves, so that selection drops out; when it is smaller, the gap is "
    "the part of the pooled figure that was about who uses AI, not what AI does."
)


@dataclass(frozen=True)
class Elasticities:
    """The pooled and within-person elasticities of merged PRs on tokens, side by side."""

    pooled: Estimate
    within: Estimate
    within_effort: Estimate  # within, controlling for active days
    why_they_differ: str = WHY_THEY_DIFFER


def sample(panel: pl.DataFrame, outcome: str = "merged_prs") -> pl.DataFrame:
    """Person-weeks with tokens > 0 whose person and week each have some output: people or weeks
    with none are separated in a Poisson model with fixed effects and carry no information."""
    used = panel.filter(pl.col("tokens") > 0)
    for group in ("person_key", "week"):
        used = used.filter((pl.col(outcome).sum().over(group) > 0) & (pl.len().over(group) > 1))
    return used


def within_elasticity(
    panel: pl.DataFrame, outcome: str = "merged_prs", control_active_days: bool = False
) -> Estimate:
    """PPML with person and week fixed effects; clustered by team when there are enough teams."""
    used = sample(panel, outcome)
    people = used["person_key"].n_unique()
    teams = used["team"].n_unique()
    cluster = "team" if teams >= MIN_TEAMS_TO_CLUSTER_BY_TEAM else "person"
    control = ", controlling for active days" if control_active_days else ""
    method = WITHIN_METHOD.format(
        control=control, cluster=f"{cluster} ({teams if cluster == 'team' else people})"
    )
    caveat = WITHIN_CAVEAT + (" " + EFFORT_CAVEAT if control_active_days else "")
    groups = teams if cluster == "team" else people
    if used.height < 20 or people < 3 or used.select(pl.col("tokens").log().std()).item() in (None, 0.0):
        return Estimate(None, None, used.height, groups, method, people, caveat)
    data = used.select(
        y=pl.col(outcome).cast(pl.Float64),
        log_tokens=pl.col("tokens").cast(pl.Float64).log(),
        active_days=pl.col("active_days").cast(pl.Float64),
        person=pl.col("person_key").cast(pl.Categorical).to_physical().cast(pl.Int64),
        team=pl.col("team").cast(pl.Categorical).to_physical().cast(pl.Int64),
        week=pl.col("week").rank("dense").cast(pl.Int64),
    ).to_pandas()
    formula = "y ~ log_tokens" + (" + active_days" if control_active_days else "") + " | person + week"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = pf.fepois(
                formula,
                data=data,
                vcov={"CRV1": cluster},
                separation_check=[],  # done above: no all-zero person or week is left
                lean=True,
                copy_data=False,
                store_data=False,
            )
        except (ValueError, np.linalg.LinAlgError):
            return Estimate(None, None, used.height, groups, method, people, caveat)
    beta, se = float(fit.coef()["log_tokens"]), float(fit.se()["log_tokens"])
    if not (np.isfinite(beta) and np.isfinite(se)):
        return Estimate(None, None, used.height, groups, method, people, caveat)
    critical = float(stats.t.ppf(0.975, max(groups - 1, 1)))  # 2.01 for 47 teams, 1.97 for 400 people
    return Estimate(
        beta, (beta - critical * se, beta + critical * se), int(fit._N), groups, method, people, caveat
    )


def pooled_elasticity(panel: pl.DataFrame) -> Estimate:
    """The pooled PPML of pipelines.metrics.estimates on the same person-weeks (tokens > 0)."""
    used = panel.filter(pl.col("tokens") > 0).rename({"tokens": "total_tokens"})
    return estimates.pooled_elasticity(used.select("person_key", "total_tokens", "merged_prs"))


def elasticities(panel: pl.DataFrame, effort: bool = True) -> Elasticities:
    within = within_elasticity(panel)
    return Elasticities(
        pooled=pooled_elasticity(panel),
        within=within,
        within_effort=within_elasticity(panel, control_active_days=True) if effort else within,
    )
