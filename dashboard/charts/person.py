"""One person's weeks, for themself or their direct manager: tokens beside merged PRs."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.charts.common import compact_axis, count_axis, empty
from dashboard.text import html
from pipelines import formats


def person_weeks(weeks: pl.DataFrame, title: str) -> go.Figure:
    fig = theme.figure(html(title))  # the title may hold a person's name
    if weeks.is_empty():
        return empty(fig, "No weeks in view")
    fig.add_bar(
        x=weeks["week"].to_list(),
        y=weeks["tokens"].to_list(),
        name="tokens",
        marker_color=theme.SKY,
        customdata=[formats.compact(v) for v in weeks["tokens"].to_list()],
        hovertemplate="week of %{x|%-d %b}: %{customdata} tokens<extra></extra>",
    )
    fig.add_scatter(
        x=weeks["week"].to_list(),
        y=weeks["merged_prs"].to_list(),
        name="merged PRs",
        yaxis="y2",
        mode="lines+markers",
        line={"color": theme.VERMILLION, "width": 2.5},
        hovertemplate="week of %{x|%-d %b}: %{y} merged PRs<extra></extra>",
    )
    fig.update_layout(
        yaxis={"title": {"text": "tokens"}, **compact_axis(weeks["tokens"].to_list())},
        yaxis2={
            "title": {"text": "merged PRs"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            **count_axis(weeks["merged_prs"].to_list()),
        },
    )
    return fig
