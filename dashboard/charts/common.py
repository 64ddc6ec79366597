"""What the charts share: the empty-view message, a note under the plot, compact numbers."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard import theme

Interval = tuple[float, float] | None


def empty(fig: go.Figure, message: str = "No data in this view") -> go.Figure:
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def note_below(fig: go.Figure, text: str) -> None:
    """A grey line under the plot: what the chart leaves out, said rather than hidden."""
    fig.add_annotation(
        text=text,
        x=0,
        y=-0.3,
        xref="paper",
        yref="paper",
        showarrow=False,
        xanchor="left",
        font={"size": 12, "color": theme.GREY},
    )


def si(value: float) -> str:
    """1e6 -> 1M: tick and bar labels."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:g}{unit}"
    return f"{value:g}"
