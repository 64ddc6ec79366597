"""Plotly figures as chart data PowerPoint can draw natively: the one converter from our figures' traces.

Each chart is defined once, as a plotly figure (dashboard/charts). For the deck, `panels` reads that
figure's traces and axes back into plain chart data: one Panel per plot area (a subplot, or a second
y axis), with its categories, series, error bars, titles and the value axis' number format. Bars,
lines and scatter convert; anything PowerPoint cannot draw as a chart of its own (heatmaps,
densities, dot plots with a category y axis, more than MAX_PANELS plot areas) returns None and goes
in as a picture. `pages` cuts a panel with more categories than a slide can label into several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from html import unescape
from typing import Any, Literal

import plotly.graph_objects as go

MAX_PANELS = 6  # more plot areas than this (small multiples of many teams) are a picture
COLUMN_MOST = 12  # text categories a column chart labels across; more read down a bar chart

Kind = Literal["column", "bar", "line", "xy"]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    xs: list[float] | None = None  # the x values of an XY series
    line: bool = True
    markers: bool = False
    dashed: bool = False
    color: str | None = None  # "#RRGGBB"
    plus: list[float] | None = None  # error bar lengths above and below each value
    minus: list[float] | None = None
    labels: bool = False  # value labels on the points or bars
    point_labels: list[str] | None = None  # a label per point (D1..D10), for XY series


@dataclass(frozen=True)
class Panel:
    kind: Kind
    categories: list[str] | list[date]  # empty for XY
    series: list[Series]
    title: str = ""
    category_title: str = ""
    value_title: str = ""
    value_format: str = "General"  # an Excel number format
    value_range: tuple[float | None, float | None] = (None, None)
    box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)  # left, top, right, bottom; 0-1
    stacked: bool = False
    show_categories: bool = True  # False for a panel that shares its neighbour's category labels
    log_x: bool = False  # XY only: a logarithmic x axis
    log_y: bool = False
    part: str = ""  # "teams 1–20 of 60" when the categories are cut over slides


def clean(text: object) -> str:
    """Plotly label markup as plain text: <br> is a space, tags go, entities are decoded."""
    plain = re.sub(r"<br\s*/?>", " ", str(text or ""))
    return unescape(re.sub(r"<[^>]+>", "", plain)).strip()


def panels(fig: go.Figure) -> list[Panel] | None:
    """The figure's plot areas as native chart data, or None when it must stay a picture."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for trace in fig.data:
        if trace.visible is False or trace.visible == "legendonly":
            continue
        if trace.type not in ("bar", "scatter", "scattergl"):
            return None
        groups.setdefault((trace.xaxis or "x", trace.yaxis or "y"), []).append(trace)
    if not groups or len(groups) > MAX_PANELS:
        return None
    layout = fig.layout
    result: list[Panel] = []
    for (xa, ya), traces in groups.items():
        panel = _panel(layout, xa, ya, traces)
        if panel is None:
            return None
        result.append(panel)
    return _split_overlays(layout, result, list(groups))


def _axis(layout: go.Layout, ref: str) -> Any:
    return layout[f"{ref[0]}axis{ref[1:]}"]


def _panel(layout: go.Layout, xa: str, ya: str, traces: list[Any]) -> Panel | None:
    types = {"bar" if t.type == "bar" else "scatter" for t in traces}
    if len(types) > 1:
        return None
    horizontal = types == {"bar"} and all(t.orientation == "h" for t in traces)
    category_ref, value_ref = (ya, xa) if horizontal else (xa, ya)
    category_axis, value_axis = _axis(layout, category_ref), _axis(layout, value_ref)
    points = [
        (list(t.y or []), list(t.x or [])) if horizontal else (list(t.x or []), list(t.y or []))
        for t in traces
    ]
    if types == {"scatter"} and any(isinstance(v, str) for _, ys in points for v in ys):
        return None  # a dot plot with a category value axis: no native equivalent
    numeric_x = types == {"scatter"} and all(_is_number(v) for xs, _ in points for v in xs)
    kind: Kind = "bar" if horizontal else "column" if types == {"bar"} else "xy" if numeric_x else "line"
    categories = [] if kind == "xy" else _categories([xs for xs, _ in points])
    series = [_series(t, xs, ys, categories, horizontal) for t, (xs, ys) in zip(traces, points, strict=True)]
    if not any(v is not None for s in series for v in s.values):
        return None
    labels = [t.text for t in traces if t.text is not None and not isinstance(t.text, str)]
    fmt = _excel_format(value_axis.tickformat, value_axis.tickprefix, value_axis.ticksuffix)
    if fmt == "General" and labels:
        fmt = _format_of_labels([str(v) for v in labels[0]])
    if (
        kind == "column"
        and categories
        and not isinstance(categories[0], date)
        and len(categories) > COLUMN_MOST
    ):
        kind = "bar"  # many named columns read better as bars, their names written out in full
    rng = value_axis.range
    value_range = (rng[0], rng[1]) if rng and all(_is_number(v) for v in rng) else (None, None)
    return Panel(
        kind=kind,
        categories=categories,
        series=series,
        category_title=clean(category_axis.title.text),
        value_title=clean(value_axis.title.text),
        value_format=fmt,
        value_range=value_range,
        box=_box(layout, xa, ya),
        stacked=layout.barmode in ("stack", "relative"),
        show_categories=category_axis.showticklabels is not False,
        log_x=kind == "xy" and category_axis.type == "log",
        log_y=value_axis.type == "log",
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _categories(columns: list[list[Any]]) -> list[Any]:
    seen: dict[Any, None] = {}
    for values in columns:
        for value in values:
            seen.setdefault(_category(value), None)
    keys = list(seen)
    if keys and all(isinstance(k, date) for k in keys):
        return sorted(keys)
    return keys


def _category(value: object) -> str | date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    return clean(value)


def _series(trace: Any, xs: list[Any], ys: list[Any], categories: list[Any], horizontal: bool) -> Series:
    bar = trace.type == "bar"
    mode = "" if bar else trace.mode or "markers"
    line_dash = None if bar else trace.line.dash
    colour = trace.marker.color if isinstance(trace.marker.color, str) else None
    if not bar and isinstance(trace.line.color, str) and "lines" in mode:
        colour = trace.line.color
    errors = trace.error_x if horizontal else trace.error_y
    plus = minus = None
    if errors is not None and errors.array is not None and errors.visible is not False:
        plus = [float(v or 0) for v in errors.array]
        minus = [
            float(v or 0) for v in (errors.arrayminus if errors.arrayminus is not None else errors.array)
        ]
    values = [None if v is None else float(v) for v in ys]
    if categories:
        at = {_category(x): i for i, x in enumerate(xs)}
        order = [at.get(c) for c in categories]
        values = [None if i is None else values[i] for i in order]
        plus = None if plus is None else [0.0 if i is None else plus[i] for i in order]
        minus = None if minus is None else [0.0 if i is None else minus[i] for i in order]
    return Series(
        name=clean(trace.name) or "value",
        values=values,
        xs=None if categories else [float(x) for x in xs],
        line=trace.type != "bar" and "lines" in mode,
        markers=trace.type != "bar" and "markers" in mode,
        dashed=line_dash not in (None, "solid"),
        color=colour if colour and re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) else None,
        plus=plus,
        minus=minus,
        labels=bar and trace.text is not None,
        point_labels=_point_labels(trace, mode, len(values)) if not categories else None,
    )


def _point_labels(trace: Any, mode: str, count: int) -> list[str] | None:
    text = trace.text
    if "text" not in mode or text is None or isinstance(text, str) or len(text) != count:
        return None
    return [clean(t) for t in text]


def _box(layout: go.Layout, xa: str, ya: str) -> tuple[float, float, float, float]:
    x0, x1 = _axis(layout, xa).domain or (0, 1)
    y_axis = _axis(layout, ya)
    if y_axis.overlaying:
        y_axis = _axis(layout, y_axis.overlaying)
    y0, y1 = y_axis.domain or (0, 1)
    return (float(x0), 1 - float(y1), float(x1), 1 - float(y0))


def _split_overlays(layout: go.Layout, found: list[Panel], refs: list[tuple[str, str]]) -> list[Panel]:
    """A second y axis becomes its own chart under the first (PowerPoint's charts have one value axis
    each here): both share the plot area's width and split its height."""
    out = list(found)
    titles = _subplot_titles(layout)
    for index, ((_, ya), panel) in enumerate(zip(refs, found, strict=True)):
        left, top, right, bottom = panel.box
        overlay = bool(_axis(layout, ya).overlaying)
        if sum(p.box == panel.box for p in found) > 1:
            middle = (top + bottom) / 2
            box = (left, middle, right, bottom) if overlay else (left, top, right, middle)
            out[index] = replace(panel, box=box)
        title = next((t for (x, y), t in titles if left <= x <= right and abs(y - top) < 0.12), "")
        out[index] = replace(out[index], title=title or out[index].value_title)
    if len(out) == 1:  # one plot area: the figure's own title, and the value axis keeps its title
        out[0] = replace(out[0], title=clean(layout.title.text))
    return out


def _subplot_titles(layout: go.Layout) -> list[tuple[tuple[float, float], str]]:
    """Annotations placed at the top of a subplot (make_subplots' titles), as ((x, top), text)."""
    found = []
    for note in layout.annotations or ():
        placed = note.xref == "paper" and note.yref == "paper" and note.x is not None and note.y is not None
        if placed and note.y >= 0 and note.yanchor in ("bottom", None) and note.showarrow is False:
            found.append(((float(note.x), 1 - float(note.y)), clean(note.text)))
    return found


def _excel_format(tickformat: str | None, prefix: str | None, suffix: str | None) -> str:
    """A d3 tick format (plotly) as an Excel number format."""
    core = "General"
    spec = tickformat or ""
    digits = re.search(r"\.(\d+)", spec)
    places = int(digits.group(1)) if digits else 0
    decimals = "." + "0" * places if places else ""
    thousands = "#,##0" if "," in spec else "0"
    if spec.endswith("%"):
        core = f"0{decimals}%"
    elif spec.endswith("f"):
        core = f"{thousands}{decimals}"
    elif spec.endswith("s"):
        core = COMPACT
    if prefix:
        core = f'"{prefix}"{"#,##0" if core == "General" else core}'
    if suffix:
        core = f'{"#,##0.##" if core == "General" else core}"{suffix}"'
    return core


# 5.7B, 1.2M, 3.4K: as pipelines.formats.compact writes tokens (Excel allows two conditions)
COMPACT = '[>=1000000000]0.0,,,"B";[>=1000000]0.0,,"M";0.0,"K"'


def _format_of_labels(labels: list[str]) -> str:
    """The number format that writes values the way a trace's own text labels do."""
    sample = next((t for t in labels if any(c.isdigit() for c in t)), "")
    places = len(sample.split(".")[1].rstrip("%BMKk")) if "." in sample else 0
    decimals = "." + "0" * places if places else ""
    if sample.endswith("%"):
        return f"0{decimals}%"
    if sample.startswith("$"):
        return f'"$"#,##0{decimals}'
    if sample[-1:] in ("B", "M", "K", "k"):
        return COMPACT
    return f"#,##0{decimals}"


def pages(found: list[Panel], most: int, noun: str = "groups") -> list[list[Panel]]:
    """The panels cut into slides of at most `most` named categories each (all panels with the same
    categories cut alike). Only bar charts are cut, whose names are written down the slide: columns
    and lines have few categories (COLUMN_MOST) or dates, a time axis."""
    named = [len(p.categories) for p in found if p.kind == "bar"]
    count = max(named, default=0)
    if count <= most:
        return [found]
    result = []
    for start in range(0, count, most):
        stop = min(start + most, count)
        part = f"{noun} {start + 1:,}–{stop:,} of {count:,}"
        result.append([_cut(p, start, stop, part) if len(p.categories) == count else p for p in found])
    return result


def _cut(panel: Panel, start: int, stop: int, part: str) -> Panel:
    def window(values: list | None) -> list | None:
        return None if values is None else values[start:stop]

    series = [
        replace(s, values=s.values[start:stop], plus=window(s.plus), minus=window(s.minus))
        for s in panel.series
    ]
    return replace(panel, categories=panel.categories[start:stop], series=series, part=part)
