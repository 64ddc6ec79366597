"""The review's charts, built from real estimates on a small demo warehouse: what each figure shows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard.charts import analytics as charts
from pipelines.metrics import analytics
from pipelines.metrics.estimates import Estimate


@pytest.fixture(scope="module")
def review(demo_warehouse: Path) -> analytics.Review:
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        return analytics.review(con)
    finally:
        con.close()


def traces(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data]


def test_elasticities_side_by_side_with_intervals(review):
    e = review.elasticities
    fig = charts.elasticity_comparison(e.pooled, e.within, e.within_effort)
    assert traces(fig) == ["pooled (across people)", "within each person", "within, active days held fixed"]
    within = fig.data[1]
    assert within.x[0] == pytest.approx(e.within.value)
    assert within.error_x.array[0] == pytest.approx(e.within.ci95[1] - e.within.value)


def test_an_elasticity_without_a_value_is_left_out_and_none_says_so():
    missing = Estimate(None, None, 0, 0, "m")
    assert "Too few" in charts.elasticity_comparison(missing, missing).layout.annotations[0].text


def test_the_event_study_marks_adoption_and_shows_pre_trends(review):
    effects = review.event_study.effects
    fig = charts.event_study(effects, review.event_study.average)
    assert traces(fig) == ["before (pre-trend check)", "after adoption"]
    assert list(fig.data[0].x) == [-4, -3, -2, -1]
    assert fig.layout.shapes[0].y0 == 0  # the zero line
    assert fig.layout.shapes[1].x0 == -0.5  # adoption
    assert "average after adoption" in fig.layout.annotations[-1].text


def test_the_three_curves_carry_their_aic_in_the_legend(review):
    curves = review.curves
    fig = charts.diminishing_returns(curves.points, curves.fits, curves.marginal)
    names = traces(fig)
    assert names[0] == "spend decile (mean)"
    assert len(names) == 1 + curves.fits.height
    assert all("ΔAIC" in n for n in names[1:]) and sum("best" in n for n in names) == 1
    assert fig.layout.xaxis.type == "log"


def test_the_best_curve_is_drawn_against_points_in_the_units_it_was_fitted_in(review):
    """The curves fit people's means: the decile points drawn are the deciles' means, which the best
    curve passes closer to than to the medians (a skewed mean sits above its median)."""
    curves = review.curves
    fig = charts.diminishing_returns(curves.points, curves.fits, curves.marginal)
    best = next(t for t in fig.data if "best" in t.name)
    points = fig.data[0]
    assert list(points.x) == curves.marginal["mean_weekly_spend"].to_list()
    on_curve = np.interp(np.log(points.x), np.log(best.x), best.y)
    to_means = np.abs(on_curve - np.array(points.y)).mean()
    to_medians = np.abs(on_curve - curves.marginal["median_weekly_merged_prs"].to_numpy()).mean()
    assert to_means < to_medians


def test_marginal_cost_per_decile_with_intervals(review):
    fig = charts.marginal_cost(review.curves.marginal, review.marginal_cost_within)
    assert list(fig.data[0].x) == [f"D{d}" for d in review.curves.marginal["decile"]]
    assert fig.layout.yaxis.type == "log"


@pytest.mark.parametrize("by", ["decile", "team"])
def test_cost_per_outcome_per_group(review, by):
    table = review.costs.by_decile if by == "decile" else review.costs.by_team
    fig = charts.cost_per_outcome(table, by)
    assert traces(fig) == ["per merged PR", "per closed ticket"]
    assert len(fig.data[0].x) == table.height
    assert [row[0] for row in fig.data[0].customdata] == table.sort(by)["people"].to_list()


def test_guardrails_are_four_small_multiples(review):
    fig = charts.guardrails(review.guardrails.by_decile)
    assert len(fig.data) == 4
    assert [a.text for a in fig.layout.annotations[:4]] == [title for _, title in charts.GUARDRAIL_PANELS]


def test_flagged_spend_shows_teams_in_name_order_never_people(review):
    by_team = review.tokenmaxxing.by_team
    fig = charts.flagged_spend(by_team)
    assert list(fig.data[0].x) == sorted(by_team["team"].to_list())
    keys = set(review.tokenmaxxing.people["person_key"])
    assert not keys & set(fig.data[0].x)
    assert fig.data[0].y == pytest.approx((by_team.sort("team")["flagged_share"] * 100).to_list())


def test_empty_frames_give_a_message_not_an_error():
    for fig in (
        charts.event_study(pl.DataFrame()),
        charts.diminishing_returns(pl.DataFrame(), pl.DataFrame(), pl.DataFrame()),
        charts.flagged_spend(pl.DataFrame()),
    ):
        assert fig.layout.annotations and fig.layout.annotations[0].text
