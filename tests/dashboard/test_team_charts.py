"""The Teams charts at any size: every category drawn is a labelled row, the height is bounded,
a withheld cell carries its reason, bars stay bars with one team, and axes have numbers."""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts
from dashboard.charts.teams import ROW_PX
from pipelines import formats

WEEKS = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(8)]
MAX_HEIGHT = 170 + ROW_PX * charts.PAGE_ROWS


def level_weekly(teams: int) -> pl.DataFrame:
    """`teams` rows x 8 weeks; every third team's usage is withheld in the first two weeks."""
    rows = []
    for t in range(teams):
        for i, week in enumerate(WEEKS):
            withheld = t % 3 == 0 and i < 2
            rows.append(
                {
                    "team": f"team {t:04d}",
                    "week": week,
                    "people": 6 + t % 4,
                    "weekly_active_rate": None if withheld else (t % 10) / 10,
                    "usage_coverage": 0.0 if withheld else 1.0,
                    "suppressed": False,
                    "reason": "fewer than 5 AI users" if withheld else None,
                    "teams_withheld": 1 if withheld else 0,
                }
            )
    return pl.DataFrame(rows).sample(fraction=1.0, shuffle=True, seed=3)  # the chart orders, not the input


def level_table(teams: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "team": [f"team {t:04d}" for t in range(teams)],
            "people": [6 + t % 4 for t in range(teams)],
            "active_rate_latest": [(t % 10) / 10 for t in range(teams)],
            "tokens": [1_000_000 * (t + 1) for t in range(teams)],
            "cost_usd": [12.5 * (t + 1) for t in range(teams)],
            "merged_prs_per_engineer_week": [1.5] * teams,
            "cost_per_merged_pr": [2.25] * teams,
            "suppressed": [False] * teams,
        }
    ).reverse()


def _rates(fig: go.Figure) -> go.Heatmap:
    return next(trace for trace in fig.data if trace.name == "weekly active rate")


def _withheld(fig: go.Figure) -> go.Heatmap:
    return next(trace for trace in fig.data if trace.name == "not shown")


@pytest.mark.parametrize("teams", [1, 3, 40])
def test_heatmap_categories_are_the_rows_in_name_order_each_labelled(teams: int) -> None:
    frame = level_weekly(teams)
    fig = charts.team_heatmap(frame, 0.8)
    expected = sorted(frame["team"].unique().to_list())
    assert list(_rates(fig).y) == expected == list(_withheld(fig).y)
    assert fig.layout.yaxis.type == "category" and fig.layout.yaxis.dtick == 1  # every label drawn
    assert list(_rates(fig).x) == WEEKS
    assert fig.layout.height <= MAX_HEIGHT
    assert fig.layout.height >= 170 + ROW_PX * teams  # at least ROW_PX per row: labels never overlap


def test_heatmap_draws_one_page_of_rows_when_asked() -> None:
    frame = level_weekly(90)
    page = sorted(frame["team"].unique().to_list())[40:80]
    fig = charts.team_heatmap(frame, 0.8, page)
    assert list(_rates(fig).y) == page and fig.layout.height <= MAX_HEIGHT


def test_a_withheld_cell_is_grey_with_its_reason_on_hover() -> None:
    fig = charts.team_heatmap(level_weekly(4), 0.8)
    rates, grey = _rates(fig), _withheld(fig)
    row = list(rates.y).index("team 0003")  # every third team: withheld in the first two weeks
    assert rates.z[row][0] is None and grey.z[row][0] == 1.0
    assert "fewer than 5 AI users" in rates.customdata[row][0]
    assert rates.z[row][2] == pytest.approx(0.3) and grey.z[row][2] is None
    assert "30% active of 9 people" in rates.customdata[row][2]
    shown = [(r, c) for r, line in enumerate(rates.z) for c, value in enumerate(line) if value is not None]
    assert all(grey.z[r][c] is None for r, c in shown)  # grey only where nothing is shown


def test_the_heatmap_never_draws_markup_from_a_team_name() -> None:
    frame = level_weekly(2).with_columns(team=pl.col("team").str.replace("team 0001", "<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in list(_rates(charts.team_heatmap(frame, 0.8)).y)


@pytest.mark.parametrize("teams", [1, 2, 40])
def test_bar_panels_have_axis_numbers_and_bars_with_any_number_of_teams(teams: int) -> None:
    fig = charts.team_figures(level_table(teams), 0.8)
    assert len(fig.data) == len(charts.TEAM_PANELS)
    names = [f"team {t:04d}" for t in range(teams)]
    for trace, column in zip(fig.data, charts.TEAM_PANELS, strict=True):
        assert list(trace.y) == names and trace.type == "bar" and trace.name == formats.label(column)
    axes = [fig.layout[f"xaxis{'' if i == 1 else i}"] for i in range(1, len(charts.TEAM_PANELS) + 1)]
    for axis in axes:
        assert axis.tickvals and len(axis.ticktext) == len(axis.tickvals) >= 2
    assert list(axes[0].ticktext) == ["0", "50%", "100%"]
    assert axes[2].ticktext[-1].startswith("$")
    # the plot area leaves each bar at least ROW_PX / 2 px high, one team or forty
    plot = fig.layout.height - fig.layout.margin.t - 60
    assert plot / max(teams, 4) >= ROW_PX / 2 and fig.layout.height <= MAX_HEIGHT
    assert fig.data[2].text[0] == formats.text(12.5, "cost_usd")


def test_bar_panel_titles_are_the_plain_headers() -> None:
    fig = charts.team_figures(level_table(3), 0.8)
    titles = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert titles == [formats.label(c) for c in charts.TEAM_PANELS]


def test_rows_with_nothing_released_are_left_out_of_the_bars() -> None:
    table = level_table(3).with_columns(suppressed=pl.col("team") == "team 0001")
    fig = charts.team_figures(table, 0.8)
    assert list(fig.data[0].y) == ["team 0000", "team 0002"]
