"""One plotly theme for every chart: legible on screen, in print and on a slide.

Fonts are at least 12 px, the palette is Okabe-Ito (safe for the common colour-vision deficiencies)
and the background is white, so a screenshot drops straight into a document.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008), "Color Universal Design": distinguishable with deuteranopia and protanopia.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
GREY = "#6E6E6E"
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
# single-hue sequential scale for counts (light = few, dark = many)
DENSITY_SCALE = [[0.0, "#DCEAF7"], [0.5, "#6BAED6"], [1.0, "#08306B"]]

FONT = "Inter, 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif"
TEXT = "#1F2328"
GRID = "#E4E6EA"
NAME = "tokenyield"

_axis = {
    "showline": True,
    "linecolor": "#9AA0A6",
    "ticks": "outside",
    "tickcolor": "#9AA0A6",
    "gridcolor": GRID,
    "zeroline": False,
    "title": {"font": {"size": 14}, "standoff": 8},
    "tickfont": {"size": 13},
    "automargin": True,
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 14, "color": TEXT},
        title={"font": {"size": 17}, "x": 0.0, "xanchor": "left", "xref": "paper", "y": 0.97},
        colorway=list(PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={**_axis, "showgrid": False},
        yaxis={**_axis, "showgrid": True},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "right",
            "x": 1.0,
            "font": {"size": 13},
            "bgcolor": "rgba(255,255,255,0)",
        },
        hoverlabel={"font": {"size": 13, "family": FONT}},
        margin={"l": 64, "r": 24, "t": 64, "b": 56},
        height=380,
    )
)
pio.templates[NAME] = TEMPLATE


def figure(title: str, **layout: object) -> go.Figure:
    """An empty figure in the shared theme with a title."""
    fig = go.Figure()
    fig.update_layout(template=NAME, title={"text": title}, **layout)
    return fig
