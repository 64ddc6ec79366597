"""The weekly charts of the Overview: adoption, tokens and spend, output, cost per merged PR."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard import theme
from dashboard.charts.common import empty


def active_rate(weekly: pl.DataFrame, target: float) -> go.Figure:
    """Share of people in scope who used AI that week, against the adoption target."""
    fig = theme.figure("Weekly active rate")
    if weekly.is_empty():
        return empty(fig)
    weeks = weekly["week"].to_list()
    fig.add_scatter(
        x=weeks,
        y=weekly["weekly_active_rate"].to_list(),
        name="active rate",
        mode="lines+markers",
        line={"color": theme.BLUE, "width": 3},
        customdata=weekly.select("ai_users", "people_in_scope").rows(),
        hovertemplate="%{x|%d %b %Y}: %{y:.0%} (%{customdata[0]} of %{customdata[1]} people)<extra></extra>",
    )
    fig.add_scatter(
        x=[weeks[0], weeks[-1]],
        y=[target, target],
        name=f"target {target:.0%}",
        mode="lines",
        line={"color": theme.VERMILLION, "width": 2, "dash": "dash"},
        hoverinfo="skip",
    )
    fig.update_yaxes(title_text="people who used AI that week (%)", tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(title_text="week (Monday)")
    return fig


def tokens_and_spend(weekly: pl.DataFrame) -> go.Figure:
    """Tokens per week (bars, left axis) and spend per week in USD (line, right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.update_layout(template=theme.NAME, title={"text": "Tokens and spend per week"})
    if weekly.is_empty():
        return empty(fig)
    weeks = weekly["week"].to_list()
    fig.add_bar(
        x=weeks,
        y=weekly["tokens"].to_list(),
        name="tokens",
        marker_color=theme.SKY,
        hovertemplate="%{x|%d %b %Y}: %{y:.3s} tokens<extra></extra>",
    )
    fig.add_scatter(
        x=weeks,
        y=weekly["cost_usd"].to_list(),
        name="spend (USD)",
        mode="lines+markers",
        line={"color": theme.ORANGE, "width": 3},
        hovertemplate="%{x|%d %b %Y}: $%{y:,.0f}<extra></extra>",
        secondary_y=True,
    )
    fig.update_yaxes(title_text="tokens per week", tickformat="~s", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(
        title_text="spend per week (USD)",
        tickprefix="$",
        tickformat=",.0f",
        rangemode="tozero",
        showgrid=False,
        tickmode="auto",
        nticks=6,
        secondary_y=True,
    )
    fig.update_xaxes(title_text="week (Monday)")
    return fig


def merged_prs_per_engineer_week(weekly: pl.DataFrame) -> go.Figure:
    """Merged PRs divided by the people in scope, per week."""
    fig = theme.figure("Merged PRs per engineer-week")
    if weekly.is_empty():
        return empty(fig)
    fig.add_scatter(
        x=weekly["week"].to_list(),
        y=weekly["merged_prs_per_engineer_week"].to_list(),
        name="merged PRs per engineer-week",
        mode="lines+markers",
        line={"color": theme.GREEN, "width": 3},
        hovertemplate="%{x|%d %b %Y}: %{y:.2f}<extra></extra>",
    )
    fig.update_yaxes(title_text="merged PRs per person per week", rangemode="tozero")
    fig.update_xaxes(title_text="week (Monday)")
    return fig


def cost_per_merged_pr(weekly: pl.DataFrame) -> go.Figure:
    """Weekly cost per merged PR in USD, with its rolling trend (column cost_per_merged_pr_rolling)."""
    fig = theme.figure("Cost per merged PR")
    if weekly.is_empty():
        return empty(fig)
    weeks = weekly["week"].to_list()
    fig.add_scatter(
        x=weeks,
        y=weekly["cost_per_merged_pr"].to_list(),
        name="weekly",
        mode="markers",
        marker={"color": theme.PURPLE, "size": 9},
        hovertemplate="%{x|%d %b %Y}: $%{y:,.2f}<extra></extra>",
    )
    if "cost_per_merged_pr_rolling" in weekly.columns:
        fig.add_scatter(
            x=weeks,
            y=weekly["cost_per_merged_pr_rolling"].to_list(),
            name="4-week trend",
            mode="lines",
            line={"color": theme.BLACK, "width": 3},
            hovertemplate="%{x|%d %b %Y}: $%{y:,.2f} (4 weeks)<extra></extra>",
        )
    fig.update_yaxes(
        title_text="AI spend per merged PR (USD)", tickprefix="$", tickformat=",.2f", rangemode="tozero"
    )
    fig.update_xaxes(title_text="week (Monday)")
    return fig
