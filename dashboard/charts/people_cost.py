"""AI spend as a share of people cost, against the 50% line Nvidia's CEO named (a claim, not a target).

Shares of a few tenths of a percent and a 50% line do not fit one linear axis, so the share axis is
logarithmic, with ticks written by pipelines/formats.py. Units are in name order, never by a figure.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.charts.common import empty, note_below
from dashboard.text import html_all
from pipelines import formats
from pipelines.metrics.people_cost import REFERENCE_LABEL, REFERENCE_SHARE

TICKS = (0.0001, 0.001, 0.01, 0.1, 0.5, 1.0)


def _share_axis(shares: list[float], title: str, sparse: bool = False) -> dict[str, object]:
    """A log axis from below the smallest share to above the reference line, ticks as percentages;
    `sparse` (a narrow horizontal axis): decades only, every other one when there are many, so that
    no two tick labels touch (the 50% line carries its own label)."""
    low = min([s for s in shares if s and s > 0] or [REFERENCE_SHARE])
    bottom = 10 ** math.floor(math.log10(low))
    ticks = [t for t in TICKS if bottom <= t <= 1.0]
    if sparse:
        ticks = [t for t in ticks if t != REFERENCE_SHARE]
        ticks = ticks[::-2][::-1] if len(ticks) > 4 else ticks
    return {
        "title": {"text": title},
        "type": "log",
        "range": [math.log10(bottom), math.log10(max(REFERENCE_SHARE, max(shares or [0])) * 1.6)],
        "tickvals": ticks,
        "ticktext": [formats.pct(t, max(0, -math.floor(math.log10(t * 100)))) for t in ticks],
    }


def _reference_note(horizontal: bool) -> dict[str, object]:
    """The reference line's label, written on the chart beside the line (no legend to crowd the title)."""
    where = (
        {"xref": "paper", "x": 0.0, "xanchor": "left", "yref": "y", "y": math.log10(REFERENCE_SHARE), "yanchor": "bottom"}
        if horizontal
        else {"xref": "x", "x": math.log10(REFERENCE_SHARE), "xanchor": "right", "yref": "paper", "y": 1.0, "yanchor": "bottom"}
    )  # fmt: skip
    return {
        **where,
        "text": f"{formats.pct(REFERENCE_SHARE)}: {REFERENCE_LABEL} (a claim, not a target)",
        "showarrow": False,
        "font": {"size": 12, "color": theme.VERMILLION},
    }


def _reference(x: list[object], horizontal: bool = True) -> dict[str, object]:
    line = {"color": theme.VERMILLION, "width": 2, "dash": "dash"}
    coords = {"x": [x[0], x[-1]], "y": [REFERENCE_SHARE] * 2} if horizontal else {}
    return {
        "type": "scatter",
        **coords,
        "name": f"{REFERENCE_LABEL} ({formats.pct(REFERENCE_SHARE)}; a claim, not a target)",
        "mode": "lines",
        "line": line,
        "hoverinfo": "skip",
    }


def share_over_time(weekly: pl.DataFrame) -> go.Figure:
    """Weekly AI spend over people cost (columns week, ai_share_of_people_cost, cost_usd, people_cost_usd)."""
    title = "AI spend ÷ people cost, per week"
    shown = (
        weekly.filter(pl.col("ai_share_of_people_cost").is_not_null())
        if "ai_share_of_people_cost" in weekly.columns
        else weekly.head(0)
    )
    if shown.is_empty():
        return empty(theme.figure(title), "No week in this view has both AI spend and people cost released")
    weeks = shown["week"].to_list()
    shares = shown["ai_share_of_people_cost"].to_list()
    hover = [
        f"{formats.day(w)}: {formats.pct(s, 2)} ({formats.usd(c)} AI spend of {formats.usd(p)} people cost)"
        for w, s, c, p in shown.select(
            "week", "ai_share_of_people_cost", "cost_usd", "people_cost_usd"
        ).iter_rows()
    ]
    trace = {
        "type": "scatter",
        "x": weeks,
        "y": shares,
        "name": "AI spend ÷ people cost",
        "mode": "lines+markers",
        "line": {"color": theme.BLUE, "width": 3},
        "text": hover,
        "hovertemplate": "%{text}<extra></extra>",
    }
    fig = theme.figure(
        title,
        [trace, _reference(weeks)],
        xaxis={"title": {"text": "week (Monday)"}},
        yaxis=_share_axis(shares, "share of people cost (log scale)"),
        showlegend=False,
        annotations=[_reference_note(horizontal=True)],
    )
    note_below(fig, "People cost = headcount × the unit's average yearly loaded cost band ÷ 52.")
    return fig


def share_by_unit(units: pl.DataFrame) -> go.Figure:
    """Each unit's AI spend over its people cost across the period (columns team, ai_share_of_people_cost), in name order."""
    title = "AI spend ÷ people cost, by team"
    shown = (
        units.filter(pl.col("ai_share_of_people_cost").is_not_null()).sort("team")
        if "ai_share_of_people_cost" in units.columns
        else units
    )
    if shown.is_empty():
        return empty(theme.figure(title), "No team in this view has both AI spend and people cost released")
    teams = html_all(shown["team"].to_list())  # data: drawn as text, never as markup
    shares = shown["ai_share_of_people_cost"].to_list()
    bars = {
        "type": "bar",
        "orientation": "h",
        "y": teams,
        "x": shares,
        "name": "AI spend ÷ people cost",
        "marker": {"color": theme.BLUE},
        "text": [formats.pct(s, 2) for s in shares],
        "hovertemplate": "%{y}: %{text}<extra></extra>",
    }
    reference = {
        **_reference(teams, horizontal=False),
        "x": [REFERENCE_SHARE] * 2,
        "y": [teams[0], teams[-1]],
    }
    axis = _share_axis(shares, "share of people cost (log scale)", sparse=True)
    return theme.figure(
        title,
        [bars, reference],
        xaxis=axis,
        yaxis={"autorange": "reversed", "type": "category"},
        height=max(260, 28 * len(teams) + 120),
        showlegend=False,
        annotations=[_reference_note(horizontal=False)],
    )
