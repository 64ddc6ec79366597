"""A bar chart of many named groups (teams) as several printable figures, each naming all of its groups.

A printed page holds about a dozen named bars at a readable size, and 1,200 teams do not fit any
page. `windows` turns a figure whose traces are all bars over the same named categories into
figures of at most `most` categories each, every one with its own axes, titles and labels; columns
over more than COLUMN_MOST named categories, or with slanted names, are turned on their side
first, so that each name is written out in full and level, one per line. Other figures come back unchanged, as one.
"""

from __future__ import annotations

import copy
from typing import Any

import plotly.graph_objects as go

from pipelines.report.native import COLUMN_MOST, clean

ROW_PX = 18  # screen pixels per named bar (theme.print_layout enlarges it with the fonts)
FRAME_PX = 170  # title, panel titles, axis and margins
ARRAYS = ("x", "y", "text", "customdata", "hovertext", "ids")


def rows_that_fit(height_px: float) -> int:
    """Named bars a figure of this many screen pixels holds."""
    return max(4, int((height_px - FRAME_PX) / ROW_PX))


def windows(fig: go.Figure, most: int) -> tuple[list[go.Figure], int]:
    """The figure as figures of at most `most` named bars each, and the number of named bars (0
    when the figure is not a bar chart of named groups, which then comes back as it is)."""
    spec = fig.to_dict()
    traces = spec.get("data", [])
    if not traces or any(t.get("type") != "bar" for t in traces):
        return [fig], 0
    horizontal = all(t.get("orientation") == "h" for t in traces)
    names = list(traces[0].get("y" if horizontal else "x") or [])
    same = all(list(t.get("y" if horizontal else "x") or []) == names for t in traces)
    if not names or not same or not all(isinstance(n, str) for n in names):
        return [fig], 0
    if not horizontal:
        rotated = spec.get("layout", {}).get("xaxis", {}).get("tickangle") not in (None, 0)
        if not (rotated or len(names) > COLUMN_MOST) or len({t.get("xaxis", "x") for t in traces}) > 1:
            return [fig], 0
        spec = _on_its_side(spec)
    count = len(names)
    parts = []
    for start in range(0, count, most):
        stop = min(start + most, count)
        part = copy.deepcopy(spec)
        for trace in part["data"]:
            _slice(trace, start, stop, count)
        layout = part.setdefault("layout", {})
        layout["height"] = FRAME_PX + ROW_PX * (stop - start)
        if count > most:
            title = layout.get("title", {}) if isinstance(layout.get("title"), dict) else {}
            text = clean(title.get("text", ""))
            layout["title"] = {**title, "text": f"{text} ({start + 1:,}–{stop:,} of {count:,})".strip()}
        parts.append(go.Figure(part))
    return parts, count


def _slice(trace: dict[str, Any], start: int, stop: int, count: int) -> None:
    for key in ARRAYS:
        if isinstance(trace.get(key), list | tuple) and len(trace[key]) == count:
            trace[key] = list(trace[key])[start:stop]
    for key in ("error_x", "error_y"):
        errors = trace.get(key)
        if isinstance(errors, dict):
            for part in ("array", "arrayminus"):
                if isinstance(errors.get(part), list | tuple) and len(errors[part]) == count:
                    errors[part] = list(errors[part])[start:stop]
    marker = trace.get("marker")
    if (
        isinstance(marker, dict)
        and isinstance(marker.get("color"), list | tuple)
        and len(marker["color"]) == count
    ):
        marker["color"] = list(marker["color"])[start:stop]


def _on_its_side(spec: dict[str, Any]) -> dict[str, Any]:
    """Vertical bars as horizontal ones: x and y swap in the traces and the axes, names top down."""
    spec = copy.deepcopy(spec)
    for trace in spec["data"]:
        trace["x"], trace["y"] = trace.get("y"), trace.get("x")
        trace["orientation"] = "h"
        trace["error_x"], trace["error_y"] = trace.pop("error_y", None), trace.pop("error_x", None)
        for key in ("error_x", "error_y"):
            if trace[key] is None:
                del trace[key]
        if isinstance(trace.get("hovertemplate"), str):
            trace["hovertemplate"] = trace["hovertemplate"].replace("%{x}", "%{_y}").replace("%{y", "%{x")
            trace["hovertemplate"] = trace["hovertemplate"].replace("%{_y}", "%{y}")
    layout = spec.setdefault("layout", {})
    x_axis, y_axis = dict(layout.get("xaxis", {})), dict(layout.get("yaxis", {}))
    for axis in (x_axis, y_axis):
        axis.pop("tickangle", None)
    y_axis["showgrid"], x_axis["showgrid"] = False, True
    layout["xaxis"], layout["yaxis"] = y_axis, {**x_axis, "autorange": "reversed"}
    return spec
