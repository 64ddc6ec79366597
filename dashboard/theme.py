"""One plotly theme for every chart: legible on screen, in print and on a slide.

Fonts are at least 12 px, the palette is Okabe-Ito (safe for the common colour-vision deficiencies)
and the background is white, so a screenshot drops straight into a document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


_TEMPLATE_SPEC = TEMPLATE.to_plotly_json()  # what update_layout(template=NAME) puts in a figure


def figure(title: str, data: Sequence[dict[str, Any]] = (), **layout: Any) -> go.Figure:
    """A figure in the shared theme with a title, its traces (`data`: dicts with their "type")
    and layout properties (nested dicts: xaxis={"title": {"text": ...}}).

    The figure is made from one dict, so plotly checks it once: several times faster than an
    empty figure grown by add_* and update_* calls, which check every step (the Overview's four
    weekly charts went from about 55 to 15 ms of every rerun)."""
    spec = {"template": _TEMPLATE_SPEC, "title": {"text": title}, **layout}
    return go.Figure({"data": list(data), "layout": spec})


# Print and slide exports (pipelines/report): a 16:9 page in layout pixels, rendered at PRINT_SCALE,
# with every font and margin enlarged by PRINT_FONT_SCALE so that tick labels stay about 12 pt or
# more when the image fills a 13.3-inch slide or a landscape A4 page. The screen look is untouched.
PRINT_WIDTH = 1200
PRINT_HEIGHT = 675
PRINT_SCALE = 2
PRINT_FONT_SCALE = 1.4


def print_layout(fig: go.Figure, font_scale: float = PRINT_FONT_SCALE) -> go.Figure:
    """A copy of the figure for print or a slide: same theme, every font size and margin scaled."""
    spec = fig.to_dict()
    _scale_fonts(spec, font_scale)
    layout = spec.setdefault("layout", {})
    layout.pop("width", None)
    layout.pop("height", None)
    for part in (layout, layout.get("template", {}).get("layout", {})):
        margin = part.get("margin")
        if isinstance(margin, dict):
            part["margin"] = {
                side: value * font_scale if isinstance(value, int | float) else value
                for side, value in margin.items()
            }
    printed = go.Figure(spec)
    _notes_to_bottom(printed)
    return printed


PRINT_NOTE_ROOM = 150  # px of bottom margin when a note sits under the axis title


def _notes_to_bottom(fig: go.Figure) -> None:
    """Notes placed below the plot as a share of its height (charts.common.note_below) would fall
    off a taller print page; pin them to a fixed distance under the plot, in a margin that fits."""
    notes = [
        a
        for a in fig.layout.annotations
        if a.yref == "paper" and a.y is not None and (a.y < 0 or (a.y == 0 and (a.yshift or 0) < 0))
    ]
    if not notes:
        return
    fig.update_layout(margin_b=max(fig.layout.margin.b or 0, PRINT_NOTE_ROOM))
    for note in notes:
        note.update(y=0, yanchor="top", yshift=-(PRINT_NOTE_ROOM - 40))


def _scale_fonts(node: object, factor: float) -> None:
    """Multiply the size of every font object (font, tickfont, textfont, ...) below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                size = value["size"]
                if isinstance(size, int | float):
                    value["size"] = size * factor
                elif isinstance(size, list | tuple):
                    value["size"] = [s * factor if isinstance(s, int | float) else s for s in size]
            _scale_fonts(value, factor)
    elif isinstance(node, list | tuple):
        for item in node:
            _scale_fonts(item, factor)
