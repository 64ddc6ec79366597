"""The Teams charts: the Overview figures per team, teams always in name order."""

from __future__ import annotations

import math
from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard import theme
from dashboard.charts.common import empty, si
from dashboard.text import html_all

TEAM_PANELS: tuple[tuple[str, str, Callable[[float], str]], ...] = (  # column, panel title, bar label
    ("active_rate_latest", "active rate,<br>latest week", "{:.0%}".format),
    ("tokens", "tokens", lambda tokens: si(float(f"{tokens:.3g}"))),
    ("cost_usd", "AI spend<br>(USD)", "${:,.0f}".format),
    ("merged_prs_per_engineer_week", "merged PRs per<br>engineer-week", "{:.2f}".format),
    ("cost_per_merged_pr", "cost per<br>merged PR (USD)", "${:,.2f}".format),
)


def team_figures(teams: pl.DataFrame, target: float) -> go.Figure:
    """The Overview figures per team, one panel each, teams in name order (never by tokens)."""
    teams = teams.sort("team")
    fig = make_subplots(
        rows=1,
        cols=len(TEAM_PANELS),
        shared_yaxes=True,
        horizontal_spacing=0.025,
        subplot_titles=[title for _, title, _ in TEAM_PANELS],
    )
    fig.update_layout(
        template=theme.NAME,
        title={"text": f"Teams side by side (dashed: the {target:.0%} adoption target)"},
        showlegend=False,
    )
    if teams.is_empty():
        return empty(fig)
    names = html_all(teams["team"].to_list())  # data: drawn as text, never as markup
    for col, (column, title, label) in enumerate(TEAM_PANELS, start=1):
        values = teams[column].to_list()
        fig.add_bar(
            x=values,
            y=names,
            orientation="h",
            name=title,
            marker_color=theme.PALETTE[col - 1],
            text=["–" if v is None else label(v) for v in values],
            textposition="outside",
            textfont={"size": 12},
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra>" + title.replace("<br>", " ") + "</extra>",
            row=1,
            col=col,
        )
        largest = max((v for v in values if v is not None), default=1.0) or 1.0
        fig.update_xaxes(showticklabels=False, showgrid=False, range=[0, largest * 1.45], row=1, col=col)
    fig.add_vline(x=target, line={"color": theme.VERMILLION, "dash": "dash", "width": 2}, row=1, col=1)
    fig.update_xaxes(range=[0, 1.45], row=1, col=1)
    fig.update_yaxes(autorange="reversed", title_text="team", row=1, col=1)
    fig.update_annotations(font_size=13)
    fig.update_layout(height=130 + 30 * len(names), margin={"t": 110})
    return fig


def team_active_rates(team_weekly: pl.DataFrame, target: float, columns: int = 4) -> go.Figure:
    """Small multiples: each team's weekly active rate against the target, teams in name order."""
    teams = sorted(team_weekly["team"].unique().to_list()) if team_weekly.height else []
    names = html_all(teams)  # data: drawn as text, never as markup
    rows = max(1, math.ceil(len(names) / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        shared_xaxes=True,
        shared_yaxes=True,
        subplot_titles=names,
        vertical_spacing=0.5 / rows / 2 + 0.04,
        horizontal_spacing=0.03,
    )
    fig.update_layout(
        template=theme.NAME,
        title={"text": f"Weekly active rate by team (dashed: the {target:.0%} target)"},
        showlegend=False,
    )
    if not names:
        return empty(fig)
    for i, (raw, name) in enumerate(zip(teams, names, strict=True)):
        team = team_weekly.filter(pl.col("team") == raw).sort("week")
        weeks = team["week"].to_list()
        row, col = i // columns + 1, i % columns + 1
        fig.add_scatter(
            x=weeks,
            y=team["weekly_active_rate"].to_list(),
            name="active rate",
            mode="lines",
            line={"color": theme.BLUE, "width": 2.5},
            hovertemplate=name + " %{x|%d %b}: %{y:.0%}<extra></extra>",
            row=row,
            col=col,
        )
        fig.add_scatter(
            x=[weeks[0], weeks[-1]],
            y=[target, target],
            name=f"target {target:.0%}",
            mode="lines",
            line={"color": theme.VERMILLION, "width": 1.5, "dash": "dash"},
            hoverinfo="skip",
            row=row,
            col=col,
        )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], nticks=3)
    fig.update_yaxes(title_text="active (%)", col=1)
    fig.update_xaxes(tickformat="%d %b", nticks=4)
    fig.update_annotations(font_size=13)
    fig.update_layout(height=120 + 190 * rows, margin={"t": 100})
    return fig
