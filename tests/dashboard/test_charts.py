"""Every chart on small hand-built frames: its traces, its axes, and no person anywhere in its data."""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
import pytest
from plotly.subplots import make_subplots

from dashboard import charts, theme
from pipelines.privacy.views import density

WEEKS = [date(2026, 3, 2) + timedelta(days=7 * i) for i in range(4)]
PEOPLE = [f"alice{i}@example.com" for i in range(12)]  # identifiers that must never reach a figure


@pytest.fixture
def weekly() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "week": WEEKS,
            "people_in_scope": [10, 10, 12, 12],
            "ai_users": [5, 6, 9, 10],
            "weekly_active_rate": [0.5, 0.6, 0.75, 10 / 12],
            "tokens": [1_000_000, 2_000_000, 3_000_000, 4_000_000],
            "cost_usd": [10.0, 20.0, 30.0, 40.0],
            "unpriced_tokens": [0, 0, 0, 0],
            "merged_prs": [20, 0, 24, 30],
            "merged_prs_per_engineer_week": [2.0, 0.0, 2.0, 2.5],
            "closed_tickets": [5, 5, 5, 5],
            "cost_per_merged_pr": [0.5, None, 1.25, 40 / 30],
            "cost_per_merged_pr_rolling": [0.5, 1.5, 60 / 44, 100 / 74],
        }
    )


@pytest.fixture
def deciles() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "decile": list(range(1, 11)),
            "people": [2] * 10,
            "median_weekly_tokens": [1e4 * 2**i for i in range(10)],
            "median_weekly_merged_prs": [0.0, 1.0, 1, 1, 1.5, 2, 2, 2, 2.5, 3],
            "token_multiple": [0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0, 4.0, 6.0, 10.0],
            "output_multiple": [0.0, 0.6, 0.7, 0.8, 1.0, 1.1, 1.2, 1.4, 1.6, 2.0],
            "cost_per_merged_pr": [None, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
        }
    )


@pytest.fixture
def means() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "person_id": PEOPLE,
            "team": ["web"] * 6 + ["ci"] * 6,
            "weeks_in_scope": [4] * 12,
            "mean_weekly_tokens": [0.0, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 3e7],
            "mean_weekly_merged_prs": [1.0, 0.5, 1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 3.0, 4.0, 4.5, 6.0],
            "cost_usd": [1.0] * 12,
            "merged_prs": [4] * 12,
        }
    )


@pytest.fixture
def teams() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "team": ["web", "analytics", "ci"],  # not in name order: the chart sorts
            "people": [5, 3, 4],
            "person_weeks": [20, 12, 16],
            "active_rate_period": [0.5, 0.9, 0.7],
            "active_rate_latest": [0.6, 1.0, None],
            "tokens": [9_000_000, 1_000_000, 5_000_000],
            "cost_usd": [90.0, 10.0, 50.0],
            "merged_prs": [40, 30, 20],
            "merged_prs_per_engineer_week": [2.0, 2.5, 1.25],
            "closed_tickets": [10, 5, 3],
            "cost_per_merged_pr": [2.25, 1 / 3, 2.5],
        }
    )


@pytest.fixture
def team_weekly(weekly: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([weekly.with_columns(team=pl.lit(t)) for t in ("web", "analytics", "ci")])


def _names(fig: go.Figure) -> list[str]:
    return [trace.name for trace in fig.data]


def test_active_rate_has_the_target_line(weekly: pl.DataFrame) -> None:
    fig = charts.active_rate(weekly, target=0.8)
    rate, target = fig.data
    assert list(rate.y) == weekly["weekly_active_rate"].to_list()
    assert target.name == "target 80%" and set(target.y) == {0.8}
    assert target.line.dash == "dash"
    assert list(target.x) == [WEEKS[0], WEEKS[-1]]
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis.title.text and fig.layout.xaxis.title.text


def test_tokens_and_spend_use_two_axes(weekly: pl.DataFrame) -> None:
    fig = charts.tokens_and_spend(weekly)
    tokens, spend = fig.data
    assert (tokens.type, spend.type) == ("bar", "scatter")
    assert list(tokens.y) == weekly["tokens"].to_list()
    assert list(spend.y) == weekly["cost_usd"].to_list()
    assert spend.yaxis == "y2"
    assert "USD" in fig.layout.yaxis2.title.text and fig.layout.yaxis2.tickprefix == "$"
    assert "tokens" in fig.layout.yaxis.title.text


def test_a_figure_made_in_one_go_is_the_one_plotly_builds_step_by_step(weekly: pl.DataFrame) -> None:
    """theme.figure() makes a figure from one dict (fast); it must be the figure that the shared
    template, make_subplots' second y axis and add_* calls give."""
    stepwise = go.Figure()
    stepwise.update_layout(template=theme.NAME, title={"text": "Weekly active rate"}, height=300)
    assert theme.figure("Weekly active rate", height=300).to_plotly_json() == stepwise.to_plotly_json()

    grid = make_subplots(specs=[[{"secondary_y": True}]])
    grid.update_layout(template=theme.NAME, title={"text": "Tokens and spend per week"})
    grid.add_bar(x=WEEKS, y=weekly["tokens"].to_list())
    grid.add_scatter(x=WEEKS, y=weekly["cost_usd"].to_list(), secondary_y=True)
    fig = charts.tokens_and_spend(weekly)
    for axis in ("xaxis", "yaxis", "yaxis2"):
        for key in ("anchor", "domain", "overlaying", "side"):
            assert fig.layout[axis][key] == grid.layout[axis][key], (axis, key)
    for made, built in zip(fig.data, grid.data, strict=True):
        assert (made.xaxis, made.yaxis) == (built.xaxis, built.yaxis)
    assert fig.layout.template == grid.layout.template


def test_merged_prs_per_engineer_week(weekly: pl.DataFrame) -> None:
    fig = charts.merged_prs_per_engineer_week(weekly)
    assert list(fig.data[0].y) == [2.0, 0.0, 2.0, 2.5]
    assert "per person per week" in fig.layout.yaxis.title.text


def test_cost_per_merged_pr_draws_the_weekly_points_and_the_trend(weekly: pl.DataFrame) -> None:
    fig = charts.cost_per_merged_pr(weekly)
    assert _names(fig) == ["weekly", "4-week trend"]
    assert fig.data[0].y[1] is None  # a week without a merged PR has no point, not a zero
    assert "USD" in fig.layout.yaxis.title.text


def test_efficiency_curve_on_log_axes_with_the_top_decile_intervals(deciles: pl.DataFrame) -> None:
    fig = charts.efficiency_curve(deciles, token_ci=(6.0, 20.0), output_ci=(1.2, 2.6))
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert "log" in fig.layout.xaxis.title.text and "log" in fig.layout.yaxis.title.text
    _parity, curve, top = fig.data
    assert list(curve.x) == deciles["token_multiple"].to_list()[1:]  # D1 has output 0: off the log axes
    assert list(curve.text) == [f"D{d}" for d in range(2, 11)]
    assert (top.x[0], top.y[0]) == (10.0, 2.0)
    assert top.error_x.array[0] == pytest.approx(10.0) and top.error_x.arrayminus[0] == pytest.approx(4.0)
    assert top.error_y.array[0] == pytest.approx(0.6) and top.error_y.arrayminus[0] == pytest.approx(0.8)
    assert "D1" in fig.layout.annotations[-1].text  # what is left off the axes is said


def test_efficiency_curve_without_intervals_has_no_interval_trace(deciles: pl.DataFrame) -> None:
    fig = charts.efficiency_curve(deciles)
    assert _names(fig) == ["output in proportion to tokens", "usage decile"]


@pytest.fixture
def crowd() -> pl.DataFrame:
    """200 AI users around 100k tokens and 2 PRs a week, one far outlier, one without tokens."""
    import numpy as np

    rng = np.random.default_rng(3)
    tokens = np.concatenate([10 ** rng.normal(5, 0.4, 200), [1e9], [0.0]])
    prs = np.concatenate([rng.gamma(4, 0.5, 200), [30.0], [1.0]])
    return pl.DataFrame({"mean_weekly_tokens": tokens, "mean_weekly_merged_prs": prs})


def test_density_holds_counts_of_people_not_people(crowd: pl.DataFrame) -> None:
    cells = density(crowd, k=5)
    fig = charts.usage_output_density(cells, k=5)
    hidden, shown = fig.data
    assert hidden.type == shown.type == "heatmap"
    counts = [c for row in shown.z for c in row if c]
    blanked = sum(1 for row in hidden.z for c in row if c)
    assert counts and all(c >= 5 for c in counts)  # no shown cell holds fewer than k people
    assert blanked == cells["suppressed"].sum() > 0
    assert "fewer than 5" in fig.layout.annotations[-1].text
    assert "log" in fig.layout.xaxis.title.text


def test_density_cells_count_every_user_with_tokens_and_suppress_small_cells(crowd: pl.DataFrame) -> None:
    cells = density(crowd, k=5)
    assert cells.columns == ["x_low", "x_high", "y_low", "y_high", "people", "suppressed"]
    assert cells.filter(~pl.col("suppressed"))["people"].min() >= 5
    assert cells.filter(pl.col("suppressed"))["people"].null_count() == cells["suppressed"].sum()
    # the person with zero tokens cannot sit on a log axis; the other 201 are all counted once
    assert cells["people"].sum() + 0 <= 201
    # the outlier (1e9 tokens, 30 PRs) is never an axis end: the axes stop at the 2nd/98th percentile
    assert cells["x_high"].max() < 9 and cells["y_high"].max() < 30


def test_team_figures_in_name_order_never_by_tokens(teams: pl.DataFrame) -> None:
    fig = charts.team_figures(teams, target=0.8)
    assert len(fig.data) == len(charts.TEAM_PANELS)
    for trace in fig.data:
        assert list(trace.y) == ["analytics", "ci", "web"]
    assert list(fig.data[1].x) == [1_000_000, 5_000_000, 9_000_000]
    assert fig.data[0].text[1] == "–"  # no one in scope in the latest week: said, not zero
    assert any(shape.x0 == 0.8 for shape in fig.layout.shapes)  # the target


def test_team_heatmap_rows_in_name_order(team_weekly: pl.DataFrame) -> None:
    fig = charts.team_heatmap(team_weekly, target=0.7)
    rates = next(trace for trace in fig.data if trace.name == "weekly active rate")
    assert list(rates.y) == ["analytics", "ci", "web"]
    assert [row[0] for row in rates.z] == [0.50, 0.50, 0.50]  # every team's first week
    assert "target 70%" in rates.colorbar.ticktext


def _all_figures(weekly, deciles, means, teams, team_weekly) -> list[go.Figure]:
    return [
        charts.active_rate(weekly, 0.8),
        charts.tokens_and_spend(weekly),
        charts.merged_prs_per_engineer_week(weekly),
        charts.cost_per_merged_pr(weekly),
        charts.efficiency_curve(deciles, (6.0, 20.0), (1.2, 2.6)),
        charts.usage_output_density(density(means, k=3), k=3),
        charts.team_figures(teams, 0.8),
        charts.team_heatmap(team_weekly, 0.8),
    ]


def test_no_person_identifier_in_any_figure(weekly, deciles, means, teams, team_weekly) -> None:
    for fig in _all_figures(weekly, deciles, means, teams, team_weekly):
        text = fig.to_json()
        assert not any(person in text for person in PEOPLE), fig.layout.title.text
        assert "person_id" not in text


def test_every_chart_uses_the_shared_legible_theme(weekly, deciles, means, teams, team_weekly) -> None:
    for fig in _all_figures(weekly, deciles, means, teams, team_weekly):
        font = fig.layout.template.layout.font
        assert font.size >= 12 and fig.layout.title.text
        for annotation in fig.layout.annotations:
            assert annotation.font.size is None or annotation.font.size >= 12


def test_empty_frames_give_a_message_not_an_error(weekly, deciles, means, teams, team_weekly) -> None:
    empty = _all_figures(weekly.clear(), deciles.clear(), means.clear(), teams.clear(), team_weekly.clear())
    for fig in empty:
        assert fig.layout.annotations, fig.layout.title.text
        assert any("No data" in a.text or "Too few" in a.text for a in fig.layout.annotations)
