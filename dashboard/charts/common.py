"""What the charts share: the empty-view message, a note under the plot, compact numbers."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from dashboard import theme
from pipelines import formats

Interval = tuple[float, float] | None


def empty(fig: go.Figure, message: str = "No data in this view") -> go.Figure:
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def note_below(fig: go.Figure, text: str) -> None:
    """A grey line under the plot: what the chart leaves out, said rather than hidden."""
    # a fixed distance under the plot, below the x axis' ticks and title whatever the chart's height
    fig.add_annotation(
        text=text,
        x=0,
        y=0,
        yshift=-66,
        xref="paper",
        yref="paper",
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font={"size": 12, "color": theme.GREY},
    )
    fig.update_layout(margin_b=max(fig.layout.margin.b or 0, 96))


def si(value: float) -> str:
    """1e6 -> 1M: tick and bar labels, in the one B/M/K format (formats.compact)."""
    return formats.compact(value)


def nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) that splits 0..top into about `ticks` parts."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def compact_axis(values: list[float | None], ticks: int = 5) -> dict[str, object]:
    """Tick values and B/M/K labels (formats.compact) for an axis from 0: plotly's own "~s" writes
    G for billions, and every surface writes B."""
    top = max((v for v in values if v is not None), default=0.0)
    step = nice_step(top, ticks)
    count = math.ceil(top / step) if top > 0 else 1
    tickvals = [step * i for i in range(count + 1)]
    return {
        "tickmode": "array",
        "tickvals": tickvals,
        "ticktext": [formats.compact(v) for v in tickvals],
        "range": [0, tickvals[-1] * 1.05],
    }


def count_axis(values: list[float | None]) -> dict[str, object]:
    """An axis of counts (merged PRs, people): whole-number ticks only, from 0."""
    top = max((v for v in values if v is not None), default=0.0)
    return {
        "tickformat": ",d",
        "dtick": max(1.0, nice_step(top)),
        "rangemode": "tozero",
        "range": [0, max(top, 1) * 1.1],
    }
