"""The review's charts (docs/methods.md): elasticities, the adoption event study, diminishing returns,
cost per outcome, quality guardrails and the share of spend flagged.

Pure functions: estimates and grouped frames in (pipelines.metrics.analytics), plotly figures out.
Every figure shows groups (deciles, teams, weeks since adoption), never a person.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard import theme
from dashboard.charts.common import empty, note_below
from dashboard.text import html_all
from pipelines.metrics.estimates import Estimate

SUPPRESSED = "Not shown: every group in this view has too few people"
CURVE_COLOURS = {"power law": theme.BLUE, "log-saturation": theme.ORANGE, "Michaelis–Menten": theme.GREEN}


def _errors(values: pl.Series, low: pl.Series, high: pl.Series) -> dict:
    return {
        "type": "data",
        "symmetric": False,
        "array": (high - values).fill_null(0).to_list(),
        "arrayminus": (values - low).fill_null(0).to_list(),
        "color": theme.GREY,
        "thickness": 1.5,
    }


def elasticity_comparison(
    pooled: Estimate, within: Estimate, within_effort: Estimate | None = None
) -> go.Figure:
    """Pooled vs within-person elasticity of merged PRs on tokens, with 95% intervals."""
    fig = theme.figure("More tokens, more merged PRs? Across people vs within each person")
    rows = [("pooled (across people)", pooled, theme.GREY), ("within each person", within, theme.BLUE)]
    if within_effort is not None:
        rows.append(("within, active days held fixed", within_effort, theme.SKY))
    shown = [(label, e, colour) for label, e, colour in rows if e.value is not None]
    if not shown:
        return empty(fig, "Too few AI users in this view for the elasticities")
    for label, estimate, colour in shown:
        low, high = estimate.ci95 or (estimate.value, estimate.value)
        fig.add_scatter(
            x=[estimate.value],
            y=[label],
            mode="markers",
            name=label,
            marker={"color": colour, "size": 12},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [high - estimate.value],
                "arrayminus": [estimate.value - low],
                "color": colour,
                "thickness": 2,
            },
            hovertemplate=f"{label}: %{{x:.3f}} (95% interval {low:.3f} to {high:.3f}), "
            f"{estimate.people or estimate.groups} people<extra></extra>",
        )
    fig.add_vline(x=0, line={"color": theme.GRID, "width": 1})
    fig.update_xaxes(title_text="elasticity: % more merged PRs per 1% more tokens ÷ 100")
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_layout(showlegend=False, height=300)
    note_below(fig, "The gap is selection: engineers who ship more also use more AI.")
    return fig


def event_study(effects: pl.DataFrame, average: Estimate | None = None) -> go.Figure:
    """% change in weekly merged PRs by week since the first AI week, with 95% intervals."""
    fig = theme.figure("Merged PRs before and after a person's first AI week")
    if effects.is_empty():
        return empty(fig, "Too few people adopt AI in this view for the event study")
    before = effects.filter(pl.col("event_time") < 0)
    after = effects.filter(pl.col("event_time") >= 0)
    last = int(effects["event_time"].max())
    for part, name, colour in (
        (before, "before (pre-trend check)", theme.GREY),
        (after, "after adoption", theme.BLUE),
    ):
        if part.is_empty():
            continue
        fig.add_scatter(
            x=part["event_time"].to_list(),
            y=part["effect_pct"].to_list(),
            mode="markers+lines",
            name=name,
            marker={"color": colour, "size": 9},
            line={"color": colour, "width": 1.5},
            error_y=_errors(part["effect_pct"], part["pct_low"], part["pct_high"]),
            customdata=part.select("n", "people").rows(),
            hovertemplate="week %{x}: %{y:+.1f}% (%{customdata[1]} people)<extra></extra>",
        )
    fig.add_hline(y=0, line={"color": theme.BLACK, "width": 1})
    fig.add_vline(x=-0.5, line={"color": theme.VERMILLION, "width": 1.5, "dash": "dash"})
    if average is not None and average.value is not None and average.ci95:
        low, high = average.ci95
        fig.add_hrect(
            y0=low, y1=high, x0=-0.5, x1=last + 0.5, fillcolor=theme.SKY, opacity=0.15, line_width=0
        )
        fig.add_annotation(
            text=f"average after adoption {average.value:+.1f}% ({low:+.1f} to {high:+.1f})",
            x=last,
            y=high,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
        )
    fig.update_xaxes(
        title_text=f"weeks since the first AI week (the last point pools week {last} and later)", dtick=1
    )
    fig.update_yaxes(title_text="merged PRs vs without AI, %")
    fig.update_layout(height=420)
    return fig


def diminishing_returns(points: pl.DataFrame, fits: pl.DataFrame, deciles: pl.DataFrame) -> go.Figure:
    """The three fitted curves of weekly merged PRs on weekly spend (AIC in the legend) over the
    spend deciles' means, the basis the curves are fitted on (log spend axis)."""
    fig = theme.figure("Output against spend: three curves, compared by AIC")
    if points.is_empty() or fits.is_empty():
        return empty(fig, "Too few AI users with spend in this view for the curves")
    # the curves are least-squares fits of people's means, so they are drawn against each decile's
    # means (the same units), not its medians, which sit below a skewed mean
    basis = "mean" if "mean_weekly_spend" in deciles.columns else "median"
    fig.add_scatter(
        x=deciles[f"{basis}_weekly_spend"].to_list(),
        y=deciles[f"{basis}_weekly_merged_prs"].to_list(),
        mode="markers",
        name=f"spend decile ({basis})",
        marker={"color": theme.BLACK, "size": 9},
        customdata=deciles.select("decile", "people").rows(),
        hovertemplate="decile %{customdata[0]} (%{customdata[1]} people): $%{x:.2f} a week, "
        "%{y:.2f} merged PRs<extra></extra>",
    )
    for row in fits.sort("aic").iter_rows(named=True):
        family = row["family"]
        best = " — best" if row["best"] else ""
        fig.add_scatter(
            x=points["spend"].to_list(),
            y=points[family].to_list(),
            mode="lines",
            name=f"{family} (ΔAIC {row['delta_aic']:.0f}){best}",
            line={
                "color": CURVE_COLOURS.get(family, theme.PURPLE),
                "width": 3 if row["best"] else 1.5,
                "dash": "solid" if row["best"] else "dot",
            },
            hoverinfo="skip",
        )
    fig.update_xaxes(type="log", title_text="mean weekly AI spend per person, USD (log)")
    fig.update_yaxes(title_text="mean weekly merged PRs", rangemode="tozero")
    fig.update_layout(
        height=440,
        legend={
            "orientation": "v",
            "x": 0.02,
            "y": 0.98,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.8)",
        },
    )
    return fig


def marginal_cost(marginal: pl.DataFrame, within: pl.DataFrame | None = None) -> go.Figure:
    """Marginal cost of one more merged PR at each spend decile, with 95% intervals (log axis)."""
    fig = theme.figure("What one more merged PR costs")  # short: it is drawn in a half-width column
    if marginal.is_empty() or marginal["marginal_cost_per_merged_pr"].drop_nulls().is_empty():
        return empty(fig, "No marginal cost: the curve is flat or too few AI users")
    fig.add_scatter(
        x=[f"D{d}" for d in marginal["decile"]],
        y=marginal["marginal_cost_per_merged_pr"].to_list(),
        mode="markers+lines",
        name="across people (best curve)",
        marker={"color": theme.BLUE, "size": 9},
        error_y=_errors(marginal["marginal_cost_per_merged_pr"], marginal["ci_low"], marginal["ci_high"]),
        customdata=marginal.select("people").rows(),
        hovertemplate="%{x} (%{customdata[0]} people): $%{y:,.0f} per extra merged PR<extra></extra>",
    )
    if within is not None and not within.is_empty() and within["marginal_cost"].drop_nulls().len():
        fig.add_scatter(
            x=[f"D{d}" for d in within["decile"]],
            y=within["marginal_cost"].to_list(),
            mode="markers+lines",
            name="within each person (elasticity)",
            marker={"color": theme.ORANGE, "size": 9, "symbol": "diamond"},
            error_y=_errors(within["marginal_cost"], within["ci_low"], within["ci_high"]),
            customdata=within.select("people").rows(),
            hovertemplate="%{x} (%{customdata[0]} people): $%{y:,.0f} per extra merged PR<extra></extra>",
        )
    fig.update_xaxes(title_text="spend decile of AI users")
    fig.update_yaxes(type="log", title_text="USD per extra merged PR (log)")
    # two long legend entries wrap in a half-width column: below the axis, never up into the title
    fig.update_layout(
        height=440,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 0,
            "yref": "container",
            "xanchor": "left",
            "x": 0,
        },
        margin={"b": 110},
    )
    return fig


def cost_per_outcome(table: pl.DataFrame, by: str) -> go.Figure:
    """Cost per merged PR and per closed ticket (ratios of sums) per decile or team, with 95% intervals."""
    fig = theme.figure(f"AI spend per merged PR and per closed ticket, by {by}")
    if table.is_empty():
        return empty(fig)
    if table["cost_per_merged_pr"].drop_nulls().is_empty():  # every group withheld: no axes from −1
        return empty(fig, SUPPRESSED)
    ordered = table.sort(by)
    labels = [f"D{v}" for v in ordered[by]] if by == "decile" else html_all(ordered[by].to_list())
    for column, name, colour in (
        ("cost_per_merged_pr", "per merged PR", theme.BLUE),
        ("cost_per_closed_ticket", "per closed ticket", theme.ORANGE),
    ):
        fig.add_bar(
            x=labels,
            y=ordered[column].to_list(),
            name=name,
            marker_color=colour,
            error_y=_errors(ordered[column], ordered[f"{column}_low"], ordered[f"{column}_high"]),
            customdata=ordered.select("people").rows(),
            hovertemplate="%{x} (%{customdata[0]} people): $%{y:,.2f} " + name + "<extra></extra>",
        )
    fig.update_layout(barmode="group", height=420)
    fig.update_yaxes(title_text="USD (ratio of sums)")
    return fig


SHARE_PANELS = ("revert_rate", "bug_share")
GUARDRAIL_PANELS = (
    ("revert_rate", "reverted PRs, share"),
    ("lines_per_pr", "lines changed per PR"),
    ("hours_to_merge", "hours from open to merge"),
    ("bug_share", "bug tickets, share of closed"),
)


def guardrails(table: pl.DataFrame, by: str = "decile") -> go.Figure:
    """Small multiples of the quality guardrails per decile (or team), with 95% intervals."""
    fig = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[title for _, title in GUARDRAIL_PANELS],
        vertical_spacing=0.18,
        horizontal_spacing=0.1,
    )
    fig.update_layout(
        template=theme.NAME, title={"text": f"Quality guardrails by {by}"}, showlegend=False, height=520
    )
    if table.is_empty():
        return empty(fig)
    if all(table[c].drop_nulls().is_empty() for c, _ in GUARDRAIL_PANELS):  # every group withheld
        return empty(fig, SUPPRESSED)
    ordered = table.sort(by)
    labels = [f"D{v}" for v in ordered[by]] if by == "decile" else html_all(ordered[by].to_list())
    for index, (column, title) in enumerate(GUARDRAIL_PANELS):
        share = column in SHARE_PANELS  # a share: % ticks, its interval within 0-100%
        low, high = ordered[f"{column}_low"], ordered[f"{column}_high"]
        if share:
            low, high = low.clip(0.0, 1.0), high.clip(0.0, 1.0)
        fig.add_scatter(
            x=labels,
            y=ordered[column].to_list(),
            mode="markers",
            marker={"color": theme.BLUE, "size": 8},
            error_y=_errors(ordered[column], low, high),
            customdata=ordered.select("people").rows(),
            hovertemplate="%{x} (%{customdata[0]} people): %{y:"
            + (".1%" if share else ".3g")
            + "} "
            + title
            + "<extra></extra>",
            row=index // 2 + 1,
            col=index % 2 + 1,
        )
    fig.update_yaxes(rangemode="tozero")
    for index, (column, _) in enumerate(GUARDRAIL_PANELS):
        if column in SHARE_PANELS:
            fig.update_yaxes(
                tickformat=".1%" if column == "revert_rate" else ".0%", row=index // 2 + 1, col=index % 2 + 1
            )
    return fig


def flagged_spend(by_team: pl.DataFrame) -> go.Figure:
    """Share of each team's AI spend in flagged person-weeks, teams in name order (never people)."""
    fig = theme.figure("Share of AI spend with a tokenmaxxing signal, by team")
    if by_team.is_empty():
        return empty(fig, "No AI spend in this view")
    if not by_team["flagged_share"].fill_null(0).max():  # bars of nothing would read as a finding
        return empty(fig, "No team's flagged share is shown: no team has enough people flagged")
    ordered = by_team.sort("team")
    fig.add_bar(
        x=html_all(ordered["team"].to_list()),
        y=(ordered["flagged_share"] * 100).to_list(),
        marker_color=theme.VERMILLION,
        error_y=_errors(  # a share's interval stays within 0-100%
            ordered["flagged_share"] * 100,
            ordered["flagged_share_low"].clip(0.0, 1.0) * 100,
            ordered["flagged_share_high"].clip(0.0, 1.0) * 100,
        ),
        customdata=ordered.select("people").rows(),
        hovertemplate="%{x} (%{customdata[0]} people with spend): %{y:.1f}% of spend flagged<extra></extra>",
    )
    fig.update_yaxes(title_text="% of the team's AI spend", rangemode="tozero")
    fig.update_xaxes(tickangle=-45)
    fig.update_layout(height=480, showlegend=False, margin={"b": 160})
    return fig
