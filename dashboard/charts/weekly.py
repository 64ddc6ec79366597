"""The weekly charts of the Overview: adoption, tokens and spend, output, cost per merged PR.

Each is made in one go from its traces and axes (theme.figure): the Overview draws all four on
every rerun, and plotly checks a figure made from one dict several times faster than one grown
step by step.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.charts.common import compact_axis, empty
from pipelines import formats

WEEK_AXIS = {"title": {"text": "week (Monday)"}}
# one plot with a second y axis on the right, as make_subplots(specs=[[{"secondary_y": True}]]) lays it out
SECONDARY_Y = {
    "xaxis": {"anchor": "y", "domain": [0.0, 0.94]},
    "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
    "yaxis2": {"anchor": "x", "overlaying": "y", "side": "right"},
}


HIDDEN = "Not shown: no week of this view has enough people (or AI users) to show this figure"


def _nothing(weekly: pl.DataFrame, column: str) -> bool:
    """True when the view has no week with this figure: an empty plot's axes would run from −1."""
    return weekly.is_empty() or weekly[column].drop_nulls().is_empty()


def _title(text: str) -> dict[str, dict[str, str]]:
    return {"title": {"text": text}}


def active_rate(weekly: pl.DataFrame, target: float) -> go.Figure:
    """Share of people in scope who used AI that week, against the adoption target."""
    title = "Weekly active rate"
    if _nothing(weekly, "weekly_active_rate"):
        return empty(theme.figure(title), "No data in this view" if weekly.is_empty() else HIDDEN)
    weeks = weekly["week"].to_list()
    rate = {
        "type": "scatter",
        "x": weeks,
        "y": weekly["weekly_active_rate"].to_list(),
        "name": "active rate",
        "mode": "lines+markers",
        "line": {"color": theme.BLUE, "width": 3},
        "customdata": weekly.select("ai_users", "people_in_scope").rows(),
        "hovertemplate": "%{x|%d %b %Y}: %{y:.0%} (%{customdata[0]} of %{customdata[1]} people)<extra></extra>",
    }
    goal = {
        "type": "scatter",
        "x": [weeks[0], weeks[-1]],
        "y": [target, target],
        "name": f"target {target:.0%}",
        "mode": "lines",
        "line": {"color": theme.VERMILLION, "width": 2, "dash": "dash"},
        "hoverinfo": "skip",
    }
    people = {**_title("people who used AI that week (%)"), "tickformat": ".0%", "range": [0, 1.05]}
    return theme.figure(title, [rate, goal], xaxis=WEEK_AXIS, yaxis=people)


def tokens_and_spend(weekly: pl.DataFrame) -> go.Figure:
    """Tokens per week (bars, left axis) and spend per week in USD (line, right axis)."""
    title = "Tokens and spend per week"
    if _nothing(weekly, "tokens"):
        return empty(
            theme.figure(title, **SECONDARY_Y), "No data in this view" if weekly.is_empty() else HIDDEN
        )
    weeks = weekly["week"].to_list()
    tokens = {
        "type": "bar",
        "x": weeks,
        "y": weekly["tokens"].to_list(),
        "name": "tokens",
        "marker": {"color": theme.SKY},
        "customdata": [formats.compact(v) for v in weekly["tokens"].to_list()],
        "hovertemplate": "%{x|%d %b %Y}: %{customdata} tokens<extra></extra>",
    }
    spend = {
        "type": "scatter",
        "x": weeks,
        "y": weekly["cost_usd"].to_list(),
        "name": "spend (USD)",
        "mode": "lines+markers",
        "line": {"color": theme.ORANGE, "width": 3},
        "hovertemplate": "%{x|%d %b %Y}: $%{y:,.0f}<extra></extra>",
        "xaxis": "x",
        "yaxis": "y2",
    }
    # B/M/K ticks (formats.compact), the format of every other surface: plotly's "~s" writes G
    left = {**SECONDARY_Y["yaxis"], **_title("tokens per week"), **compact_axis(tokens["y"])}
    right = {
        **SECONDARY_Y["yaxis2"],
        **_title("spend per week (USD)"),
        "tickprefix": "$",
        "tickformat": ",.0f",
        "rangemode": "tozero",
        "showgrid": False,
        "tickmode": "auto",
        "nticks": 6,
    }
    axis = {**SECONDARY_Y["xaxis"], **WEEK_AXIS}
    return theme.figure(title, [tokens, spend], xaxis=axis, yaxis=left, yaxis2=right)


def merged_prs_per_engineer_week(weekly: pl.DataFrame) -> go.Figure:
    """Merged PRs divided by the people in scope, per week."""
    title = "Merged PRs per engineer-week"
    if _nothing(weekly, "merged_prs_per_engineer_week"):
        return empty(theme.figure(title), "No data in this view" if weekly.is_empty() else HIDDEN)
    merged = {
        "type": "scatter",
        "x": weekly["week"].to_list(),
        "y": weekly["merged_prs_per_engineer_week"].to_list(),
        "name": "merged PRs per engineer-week",
        "mode": "lines+markers",
        "line": {"color": theme.GREEN, "width": 3},
        "hovertemplate": "%{x|%d %b %Y}: %{y:.2f}<extra></extra>",
    }
    output = {**_title("merged PRs per person per week"), "rangemode": "tozero"}
    return theme.figure(title, [merged], xaxis=WEEK_AXIS, yaxis=output)


def cost_per_merged_pr(weekly: pl.DataFrame) -> go.Figure:
    """Weekly cost per merged PR in USD, with its rolling trend (column cost_per_merged_pr_rolling)."""
    title = "Cost per merged PR"
    if _nothing(weekly, "cost_per_merged_pr"):
        return empty(theme.figure(title), "No data in this view" if weekly.is_empty() else HIDDEN)
    weeks = weekly["week"].to_list()
    traces = [
        {
            "type": "scatter",
            "x": weeks,
            "y": weekly["cost_per_merged_pr"].to_list(),
            "name": "weekly",
            "mode": "markers",
            "marker": {"color": theme.PURPLE, "size": 9},
            "hovertemplate": "%{x|%d %b %Y}: $%{y:,.2f}<extra></extra>",
        }
    ]
    if "cost_per_merged_pr_rolling" in weekly.columns:
        traces.append(
            {
                "type": "scatter",
                "x": weeks,
                "y": weekly["cost_per_merged_pr_rolling"].to_list(),
                "name": "4-week trend",
                "mode": "lines",
                "line": {"color": theme.BLACK, "width": 3},
                "hovertemplate": "%{x|%d %b %Y}: $%{y:,.2f} (4 weeks)<extra></extra>",
            }
        )
    spend = {
        **_title("AI spend per merged PR (USD)"),
        "tickprefix": "$",
        "tickformat": ",.2f",
        "rangemode": "tozero",
    }
    return theme.figure(title, traces, xaxis=WEEK_AXIS, yaxis=spend)
