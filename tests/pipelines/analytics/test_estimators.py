"""Estimators on synthetic data whose answer is known: curves, cohorts, the imputation step, ratios."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pyfixest as pf
import pytest

from pipelines.metrics.analytics import cohorts, curves, event_study
from pipelines.metrics.analytics.curves import FAMILIES
from pipelines.metrics.analytics.event_study import prepare, two_way_effects
from pipelines.metrics.analytics.panel import ratio_of_sums

TRUE_CURVES = {
    "power law": (0.9, 0.25),
    "log-saturation": (0.4, 0.7, 3.0),
    "Michaelis–Menten": (0.5, 3.0, 20.0),
}


@pytest.mark.parametrize("family", list(TRUE_CURVES))
@pytest.mark.parametrize("seed", [0, 1])
def test_aic_picks_the_family_the_data_came_from(family, seed):
    rng = np.random.default_rng(seed)
    spend = np.exp(rng.normal(np.log(20), 1.5, 1500))
    output = rng.poisson(FAMILIES[family](spend, *TRUE_CURVES[family]) * 12) / 12  # 12 weeks of counts
    fits = curves(pl.DataFrame({"mean_weekly_spend": spend, "mean_weekly_merged_prs": output}))
    assert fits.best == family
    assert fits.fits.filter("best")["delta_aic"].to_list() == [0.0]
    assert fits.marginal["people"].sum() == 1500


def test_marginal_cost_is_one_over_the_slope_with_an_interval_around_it():
    rng = np.random.default_rng(3)
    spend = np.exp(rng.normal(np.log(20), 1.5, 1500))
    a, b = TRUE_CURVES["power law"]
    output = rng.poisson(FAMILIES["power law"](spend, a, b) * 12) / 12
    marginal = curves(pl.DataFrame({"mean_weekly_spend": spend, "mean_weekly_merged_prs": output})).marginal
    true = 1 / (a * b * marginal["median_weekly_spend"].to_numpy() ** (b - 1))
    covered = (marginal["ci_low"].to_numpy() <= true) & (true <= marginal["ci_high"].to_numpy())
    assert covered.sum() >= 8  # ten 95% intervals
    assert np.all(np.diff(marginal["marginal_cost_per_merged_pr"].to_numpy()) > 0)  # diminishing returns


def noise_panel(people: int = 600, weeks: int = 16, seed: int = 4) -> pl.DataFrame:
    """Everyone the same in truth: weekly tokens and merged PRs are noise around common levels."""
    rng = np.random.default_rng(seed)
    start = date(2026, 1, 5)
    return pl.DataFrame(
        {
            "person_key": np.repeat([f"k{i:04d}" for i in range(people)], weeks),
            "week": [start + timedelta(weeks=w) for _ in range(people) for w in range(weeks)],
            "tokens": np.exp(rng.normal(np.log(3e6), 0.8, people * weeks)),
            "merged_prs": rng.poisson(2.0, people * weeks),
        }
    )


def test_prior_window_cohorts_show_no_regression_to_the_mean_artefact():
    covered = 0
    for seed in range(6):
        honest = cohorts(noise_panel(seed=seed))
        assert honest.prior_weeks[1] < honest.later_weeks[0]
        for estimate in (honest.token_multiple, honest.output_multiple):
            covered += estimate.ci95[0] <= 1.0 <= estimate.ci95[1]
    assert covered >= 10  # twelve 95% intervals around a true multiple of 1: a miss or two is chance


def test_same_window_cohorts_show_the_artefact():
    for seed in range(6):
        flattered = cohorts(noise_panel(seed=seed), same_window=True)
        assert flattered.token_multiple.ci95[0] > 1.2  # the top decile was picked for its luck
        assert flattered.deciles["people"].sum() == 600


def test_the_no_ai_model_matches_pyfixest_feols_predictions():
    rng = np.random.default_rng(8)
    people, weeks = 60, 10
    person = np.repeat(np.arange(people), weeks)
    week = np.tile(np.arange(weeks), people)
    y = rng.poisson(np.exp(rng.normal(0.5, 0.5, people))[person] * (1 + 0.1 * week))
    clean = rng.random(people * weeks) < 0.7
    clean[::weeks] = True  # every person has a clean week
    a, g = two_way_effects(person, week, clean, np.where(clean, y, 0.0)[:, None].astype(float))
    data = pl.DataFrame({"y": y.astype(float), "person": person, "week": week, "clean": clean}).to_pandas()
    fit = pf.feols("y ~ 1 | person + week", data=data[data["clean"]])
    expected = np.asarray(fit.predict(newdata=data), dtype=float)
    np.testing.assert_allclose(
        a[person, 0] + g[week, 0], expected, atol=1e-4
    )  # pyfixest iterates (LSQR); ours is exact


def staggered(lift: float, people: int = 300, weeks: int = 20, seed: int = 6) -> pl.DataFrame:
    """Additive effect `lift` from each adopter's first AI week; a common week trend; a third never adopt."""
    rng = np.random.default_rng(seed)
    start = date(2026, 1, 5)
    base = rng.gamma(4.0, 0.5, people)
    adopt = rng.integers(6, weeks + 8, people)  # >= weeks: never in view
    rows = []
    for i in range(people):
        for w in range(weeks):
            treated = w >= adopt[i]
            rows.append(
                (
                    f"k{i:03d}",
                    start + timedelta(weeks=w),
                    rng.poisson(base[i] + 0.05 * w + lift * treated),
                    int(treated),
                )
            )
    frame = pl.DataFrame(rows, schema=["person_key", "week", "merged_prs", "ai_rows"], orient="row")
    first = frame.filter(pl.col("ai_rows") > 0).group_by("person_key").agg(adopted=pl.col("week").min())
    return frame.join(first, on="person_key", how="left").with_columns(first_week=pl.lit(start))


def test_the_event_study_recovers_an_additive_effect_and_flat_pre_trends():
    study = event_study(staggered(lift=1.0))
    low, high = study.average_prs.ci95
    assert low <= 1.0 <= high
    pre = study.effects.filter(pl.col("event_time") < 0)
    assert ((pre["ci_low"] <= 0) & (pre["ci_high"] >= 0)).sum() >= 3
    assert study.adopters > 100 and study.controls > 30


def test_the_event_study_finds_nothing_when_there_is_nothing():
    low, high = event_study(staggered(lift=0.0, seed=7)).average.ci95
    assert low <= 0.0 <= high


def test_people_already_using_ai_in_their_first_week_are_left_out():
    panel = staggered(lift=0.5).with_columns(
        adopted=pl.when(pl.col("person_key") == "k000")
        .then(pl.col("first_week"))
        .otherwise(pl.col("adopted"))
    )
    assert "k000" not in prepare(panel)["person_key"].to_list()


def test_ratio_of_sums_is_sum_over_sum_with_a_person_clustered_interval():
    data = pl.DataFrame(
        {
            "person_key": ["a", "a", "b", "c"],
            "team": ["x", "x", "x", "y"],
            "cost_usd": [1.0, 2.0, 3.0, 4.0],
            "merged_prs": [1, 1, 0, 2],
        }
    )
    table = ratio_of_sums(data, ["team"], "cost_usd", "merged_prs", "cost_per_merged_pr")
    x = table.row(0, named=True)
    # R = 6 / 2; person residuals 3 - 3*2 = -3 and 3 - 0 = 3; var = 2/1 * 18 / 2^2 = 9
    assert (x["team"], x["people"], x["cost_per_merged_pr"], x["cost_per_merged_pr_high"]) == (
        "x",
        2,
        3.0,
        3.0 + 1.96 * 3.0,
    )
    assert x["cost_per_merged_pr_low"] == 0.0  # a ratio of non-negative sums is never below zero
    y = table.row(1, named=True)
    assert (y["people"], y["cost_per_merged_pr"], y["cost_per_merged_pr_low"]) == (1, 2.0, None)
