"""Native PowerPoint charts from the converter's panels (pipelines/report/native.py), via python-pptx.

Each panel becomes one chart shape placed where its plot area sits in the plotly figure; a panel
that names its categories gets the room its longest name needs beside neighbours that share those
names. Fonts are Arial (the slides' font) at CHART_FONT_PT or more; error bars are written into the
chart XML (python-pptx has no API for them) so that the intervals stay visible and editable.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Pt

from dashboard import theme
from pipelines.report.native import Panel, Series
from pipelines.report.tables import text_width

if TYPE_CHECKING:
    from pptx.chart.chart import Chart
    from pptx.slide import Slide

CHART_FONT_PT = 12
FONT = "Arial"
LINE_PT = CHART_FONT_PT * 1.45  # the height a category label takes on a bar chart's axis
GREY = theme.GREY.lstrip("#")
MOST_FOR_NAMES = 0.4  # of a row's width, for the names of its bar charts
TYPES = {
    ("column", False): XL_CHART_TYPE.COLUMN_CLUSTERED,
    ("column", True): XL_CHART_TYPE.COLUMN_STACKED,
    ("bar", False): XL_CHART_TYPE.BAR_CLUSTERED,
    ("bar", True): XL_CHART_TYPE.BAR_STACKED,
    ("line", False): XL_CHART_TYPE.LINE_MARKERS,
    ("line", True): XL_CHART_TYPE.LINE_MARKERS,
}


def categories_that_fit(found: list[Panel], height: int) -> int:
    """Named categories a bar chart of this panel layout can label, one line each, in `height` EMU."""
    tallest = max((p.box[3] - p.box[1] for p in found), default=1.0)
    points = Emu(int(height * tallest)).pt - 3 * LINE_PT  # title, value axis and padding
    return max(4, int(points / LINE_PT))


def add_panels(slide: Slide, found: list[Panel], left: int, top: int, width: int, height: int) -> None:
    """Every panel as a native chart, placed in the box (EMU) as its plot area sits in the figure."""
    found = _shared_names(found)
    for panel, (x, cx) in zip(found, _columns(found, width), strict=True):
        _, y0, _, y1 = panel.box
        _chart(slide, panel, left + x, top + int(height * y0), cx, int(height * (y1 - y0)))


def _shared_names(found: list[Panel]) -> list[Panel]:
    """Bar panels side by side over the same names write them once, on the first (as plotly's
    shared axis does)."""
    out: list[Panel] = []
    for panel in found:
        same = any(
            p.kind == "bar" and p.categories == panel.categories and abs(p.box[1] - panel.box[1]) < 0.01
            for p in out
        )
        out.append(replace(panel, show_categories=False) if panel.kind == "bar" and same else panel)
    return out


def _columns(found: list[Panel], width: int) -> list[tuple[int, int]]:
    """(x, width) of each panel: panels side by side share the width by their plot areas, and a
    panel that writes its category names first gets the room they need."""
    spans: list[tuple[int, int]] = []
    for panel in found:
        row = [p for p in found if abs(p.box[1] - panel.box[1]) < 0.01]
        labels = [Pt(_label_room(p)) for p in row]
        if sum(labels) > width * MOST_FOR_NAMES:  # long names: they wrap rather than crowd out the bars
            labels = [int(room * width * MOST_FOR_NAMES / sum(labels)) for room in labels]
        plot = width - sum(labels)
        shares = [p.box[2] - p.box[0] for p in row]
        position = 0
        for other, room, share in zip(row, labels, shares, strict=True):
            size = int(plot * share / sum(shares)) + room
            if other is panel:
                spans.append((position, size))
                break
            position += size
    return spans


def _label_room(panel: Panel) -> float:
    """Points a bar chart's category names need on its left; other kinds label along the bottom."""
    if panel.kind != "bar" or not panel.show_categories:
        return 0.0
    return max((text_width(str(c), CHART_FONT_PT) for c in panel.categories), default=0.0) + 16


def _chart(slide: Slide, panel: Panel, x: int, y: int, cx: int, cy: int) -> None:
    if panel.kind == "xy":
        data = XyChartData()
        for s in panel.series:
            series = data.add_series(s.name, number_format=panel.value_format)
            for xv, yv in zip(s.xs or [], s.values, strict=True):
                if yv is not None:
                    series.add_data_point(xv, yv)
        lines = any(s.line for s in panel.series)
        kind = XL_CHART_TYPE.XY_SCATTER_LINES if lines else XL_CHART_TYPE.XY_SCATTER
    else:
        data = CategoryChartData(number_format=panel.value_format)
        data.categories = panel.categories
        for s in panel.series:
            data.add_series(s.name, s.values)
        kind = TYPES[(panel.kind, panel.stacked)]
    chart = slide.shapes.add_chart(kind, x, y, cx, cy, data).chart
    chart.font.size, chart.font.name = Pt(CHART_FONT_PT), FONT
    title = " – ".join(t for t in (panel.title, panel.part) if t)
    chart.has_title = bool(title)
    if title:
        chart.chart_title.text_frame.text = title
        font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
        font.size, font.bold, font.name = Pt(CHART_FONT_PT + 1), True, FONT
    chart.has_legend = len(panel.series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        chart.legend.font.size = Pt(CHART_FONT_PT)
    _axes(chart, panel)
    for s, plotted in zip(panel.series, chart.series, strict=True):
        _style(plotted, s, panel)
    if panel.kind == "line":  # a series given at a few weeks only (a target) is drawn across the gaps
        blanks = chart._chartSpace.chart.find(qn("c:dispBlanksAs"))
        if blanks is not None:
            blanks.set("val", "span")


def _axes(chart: Chart, panel: Panel) -> None:
    value = chart.value_axis
    value.tick_labels.number_format, value.tick_labels.number_format_is_linked = panel.value_format, False
    value.tick_labels.font.size = Pt(CHART_FONT_PT)
    value.has_major_gridlines = True
    value.major_gridlines.format.line.color.rgb = RGBColor.from_string(theme.GRID.lstrip("#"))
    low, high = panel.value_range
    if low is not None:
        value.minimum_scale = low
    if high is not None:
        value.maximum_scale = high
    if panel.value_title and panel.value_title != panel.title:
        value.has_title = True
        value.axis_title.text_frame.text = panel.value_title
        value.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_FONT_PT)
    if panel.log_y:
        _log(value)
    if panel.kind == "xy":
        category = chart.category_axis
        category.tick_labels.font.size = Pt(CHART_FONT_PT)
        if panel.log_x:
            _log(category)
        if panel.category_title:
            category.has_title = True
            category.axis_title.text_frame.text = panel.category_title
            category.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_FONT_PT)
        return
    category = chart.category_axis
    category.tick_labels.font.size = Pt(CHART_FONT_PT)
    category.has_major_gridlines = False
    if panel.categories and isinstance(panel.categories[0], date):
        category.tick_labels.number_format, category.tick_labels.number_format_is_linked = "d mmm", False
    if panel.kind == "bar":
        category.reverse_order = True  # the first name at the top, as the figure reads
        category.tick_labels.font.size = Pt(CHART_FONT_PT)
    if not panel.show_categories:
        category.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    elif panel.category_title and panel.kind != "bar":  # a bar chart's names say what they are
        category.has_title = True
        category.axis_title.text_frame.text = panel.category_title
        category.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_FONT_PT)


def _style(plotted: object, s: Series, panel: Panel) -> None:
    colour = RGBColor.from_string(s.color.lstrip("#")) if s.color else None
    fmt = plotted.format  # type: ignore[attr-defined]
    if panel.kind in ("column", "bar"):
        if colour is not None:
            fmt.fill.solid()
            fmt.fill.fore_color.rgb = colour
        plotted.invert_if_negative = False  # type: ignore[attr-defined]
    else:
        plotted.smooth = False  # type: ignore[attr-defined]
        if s.line:
            fmt.line.width = Pt(2.25)
            if colour is not None:
                fmt.line.color.rgb = colour
            if s.dashed:
                fmt.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        else:
            fmt.line.fill.background()
        marker = plotted.marker  # type: ignore[attr-defined]
        if s.markers:
            marker.size = 7
            if colour is not None:
                marker.format.fill.solid()
                marker.format.fill.fore_color.rgb = colour
                marker.format.line.color.rgb = colour
        else:
            marker.style = None
            marker._element.get_or_add_marker().get_or_add_symbol().set("val", "none")
    if s.labels:
        labels = plotted.data_labels  # type: ignore[attr-defined]
        labels.number_format, labels.number_format_is_linked = panel.value_format, False
        labels.font.size = Pt(CHART_FONT_PT)
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.show_value = True
    if s.point_labels is not None:
        shown = [label for label, v in zip(s.point_labels, s.values, strict=True) if v is not None]
        for index, label in enumerate(shown):
            point_label = plotted.points[index].data_label  # type: ignore[attr-defined]
            point_label.text_frame.text = label
            point_label.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_FONT_PT)
            point_label.position = XL_LABEL_POSITION.ABOVE
    if s.plus is not None and s.minus is not None:
        kept = (
            [i for i, v in enumerate(s.values) if v is not None]
            if panel.kind == "xy"
            else range(len(s.values))
        )
        _error_bars(
            plotted._element, [s.plus[i] for i in kept], [s.minus[i] for i in kept], panel.kind == "xy"
        )  # type: ignore[attr-defined]


def _log(axis: object) -> None:
    """A logarithmic axis (base 10): python-pptx has no API for it, the chart XML has."""
    scaling = axis._element.find(qn("c:scaling"))  # type: ignore[attr-defined]
    if scaling is not None and scaling.find(qn("c:logBase")) is None:
        scaling.insert(0, parse_xml(f'<c:logBase {nsdecls("c")} val="10"/>'))


def _error_bars(series: object, plus: list[float], minus: list[float], xy: bool) -> None:
    """Custom error bars (a 95% interval's distance above and below each point) in the chart XML."""

    def literal(values: list[float]) -> str:
        points = "".join(f'<c:pt idx="{i}"><c:v>{v!r}</c:v></c:pt>' for i, v in enumerate(values))
        return f'<c:numLit><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>{points}</c:numLit>'

    direction = '<c:errDir val="y"/>' if xy else ""
    element = parse_xml(
        f'<c:errBars {nsdecls("c", "a")}>{direction}<c:errBarType val="both"/><c:errValType val="cust"/>'
        f'<c:noEndCap val="0"/><c:plus>{literal(plus)}</c:plus><c:minus>{literal(minus)}</c:minus>'
        f'<c:spPr><a:ln w="12700"><a:solidFill><a:srgbClr val="{GREY}"/></a:solidFill></a:ln></c:spPr>'
        "</c:errBars>"
    )
    for tag in ("c:cat", "c:val", "c:xVal", "c:yVal"):
        anchor = series.find(qn(tag))  # type: ignore[attr-defined]
        if anchor is not None:
            anchor.addprevious(element)
            return
