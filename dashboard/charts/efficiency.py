"""The Efficiency charts: the decile curve on log axes and the binned density of AI users."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.charts.common import Interval, empty, note_below, si


def efficiency_curve(
    deciles: pl.DataFrame, token_ci: Interval = None, output_ci: Interval = None
) -> go.Figure:
    """Token multiple vs output multiple per usage decile, relative to the median AI user (log axes)."""
    fig = theme.figure("What more tokens come with: deciles of AI users")
    on_axes = deciles.filter((pl.col("token_multiple") > 0) & (pl.col("output_multiple") > 0))
    if on_axes.is_empty():
        return empty(fig, "Too few AI users in this view for deciles")
    x_low, x_high = _span([*on_axes["token_multiple"], *(token_ci or ())])
    y_low, y_high = _span([*on_axes["output_multiple"], *(output_ci or ())])
    low, high = min(x_low, y_low), max(x_high, y_high)  # the parity line, clipped by the axes
    fig.add_scatter(
        x=[low, high],
        y=[low, high],
        name="output in proportion to tokens",
        mode="lines",
        line={"color": theme.GREY, "width": 1.5, "dash": "dot"},
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=on_axes["token_multiple"].to_list(),
        y=on_axes["output_multiple"].to_list(),
        name="usage decile",
        mode="lines+markers+text",
        text=[f"D{d}" for d in on_axes["decile"]],
        textposition="top center",
        textfont={"size": 12},
        marker={"color": theme.BLUE, "size": 10},
        line={"color": theme.BLUE, "width": 2},
        customdata=on_axes.select("decile", "people").rows(),
        hovertemplate="decile %{customdata[0]} (%{customdata[1]} people): "
        "%{x:.2f}× the tokens, %{y:.2f}× the merged PRs<extra></extra>",
    )
    top = on_axes.filter(pl.col("decile") == pl.col("decile").max())
    if top.height and (token_ci or output_ci):
        x, y = top["token_multiple"][0], top["output_multiple"][0]
        fig.add_scatter(
            x=[x],
            y=[y],
            name="top 10%, 95% interval",
            mode="markers",
            marker={"color": theme.VERMILLION, "size": 13, "symbol": "diamond"},
            error_x=_error(x, token_ci),
            error_y=_error(y, output_ci),
            hoverinfo="skip",
        )
    fig.add_hline(y=1, line={"color": theme.GRID, "width": 1})
    fig.add_vline(x=1, line={"color": theme.GRID, "width": 1})
    off = deciles.filter(~pl.col("decile").is_in(on_axes["decile"].implode()))
    if off.height:
        names = ", ".join(f"D{d}" for d in off["decile"])
        note_below(fig, f"Not on the log axes (a multiple of 0): {names}")
    fig.update_xaxes(**_log_axis(x_low, x_high), title_text="weekly tokens, × the median AI user (log)")
    fig.update_yaxes(**_log_axis(y_low, y_high), title_text="weekly merged PRs, × the median (log)")
    fig.update_layout(
        height=460,
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


LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def _span(values: list[float]) -> tuple[float, float]:
    """A log-axis span around the values that always shows 0.5× to 2×, padded by 30%."""
    positive = [v for v in values if v and v > 0]
    return min(*positive, 0.5) / 1.3, max(*positive, 2.0) * 1.3


def _log_axis(low: float, high: float) -> dict[str, object]:
    ticks = [t for t in LOG_TICKS if low <= t <= high]
    return {
        "type": "log",
        "range": [math.log10(low), math.log10(high)],
        "tickvals": ticks,
        "ticktext": [f"{t:g}×" for t in ticks],
    }


def _error(point: float, interval: Interval) -> dict[str, object]:
    if not interval:
        return {"visible": False}
    return {
        "type": "data",
        "symmetric": False,
        "array": [max(interval[1] - point, 0.0)],
        "arrayminus": [max(point - interval[0], 0.0)],
        "color": theme.VERMILLION,
        "thickness": 2,
        "width": 6,
    }


def usage_output_density(cells: pl.DataFrame, k: int) -> go.Figure:
    """How many AI users fall in each cell of mean weekly tokens (log) x mean weekly merged PRs.

    `cells` is already binned and suppressed (pipelines.privacy.views.density): no per-person
    value reaches this function, and cells under k people are drawn grey with no count."""
    fig = theme.figure("Where AI users are: tokens vs merged PRs")
    if cells.is_empty():
        return empty(fig, f"Too few AI users with tokens in this view (fewer than {k})")
    x_edges = sorted(set(cells["x_low"].to_list()) | set(cells["x_high"].to_list()))
    y_edges = sorted(set(cells["y_low"].to_list()) | set(cells["y_high"].to_list()))
    x_step = x_edges[1] - x_edges[0]
    y_step = y_edges[1] - y_edges[0]
    xs = [x_edges[0] + x_step * (i + 0.5) for i in range(round((x_edges[-1] - x_edges[0]) / x_step))]
    ys = [y_edges[0] + y_step * (i + 0.5) for i in range(round((y_edges[-1] - y_edges[0]) / y_step))]
    z: list[list[int | None]] = [[None] * len(xs) for _ in ys]
    hidden: list[list[int | None]] = [[None] * len(xs) for _ in ys]
    for row in cells.iter_rows(named=True):
        xi = min(len(xs) - 1, round((row["x_low"] - x_edges[0]) / x_step))
        yi = min(len(ys) - 1, round((row["y_low"] - y_edges[0]) / y_step))
        if row["suppressed"]:
            hidden[yi][xi] = 1
        else:
            z[yi][xi] = row["people"]
    fig.add_heatmap(
        x=xs,
        y=ys,
        z=hidden,
        name=f"fewer than {k}",
        showscale=False,
        xgap=1,
        ygap=1,
        colorscale=[[0.0, "#D0D3D8"], [1.0, "#D0D3D8"]],
        hovertemplate=f"fewer than {k} people<extra></extra>",
    )
    fig.add_heatmap(
        x=xs,
        y=ys,
        z=z,
        name="people",
        colorscale=theme.DENSITY_SCALE,
        zmin=0,
        colorbar={"title": {"text": "people", "font": {"size": 13}}, "thickness": 14},
        xgap=1,
        ygap=1,
        hovertemplate="about 10^%{x:.2f} tokens/week, %{y:.2f} merged PRs/week: %{z} people<extra></extra>",
    )
    decades = range(math.floor(x_edges[0]), math.ceil(x_edges[-1]) + 1)
    fig.update_xaxes(
        title_text="mean weekly tokens per person (log)",
        tickvals=list(decades),
        ticktext=[si(10**d) for d in decades],
        range=[x_edges[0], x_edges[-1]],
    )
    fig.update_yaxes(title_text="mean weekly merged PRs per person", showgrid=False)
    note_below(fig, f"grey: fewer than {k} people; edge cells hold everyone beyond the 2nd/98th percentile")
    fig.update_layout(height=460)
    return fig


def _nice_step(raw: float) -> float:
    for step in (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0):
        if raw <= step:
            return step
    return float(10 ** math.ceil(math.log10(raw)))
