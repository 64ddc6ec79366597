"""The review pack as a landscape A4 PDF (reportlab): summary, one chart per page, methods, coverage.

Text is set in Liberation Sans or DejaVu Sans when Debian has them (they carry every character we
print) and in the built-in Helvetica otherwise, so the PDF never depends on a font download.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dashboard import theme
from pipelines.report.images import SLIDE, png_size, png_slices, slide_pngs
from pipelines.report.paging import rows_that_fit, windows
from pipelines.report.tables import Readable, fitted, readable

if TYPE_CHECKING:
    from collections.abc import Callable

    from pipelines.report.pack import Pack, Slide

PAGE = landscape(A4)
MARGIN = 14 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN - 12  # reportlab's frame keeps 6 pt of padding on each side
FRAME_HEIGHT = PAGE[1] - 2 * MARGIN - 8 - 12
# A chart's smallest text is 12 px on screen, 16.8 px in print (theme.print_layout): at 0.55 pt per
# layout pixel it is 9.2 pt. Charts shrink to fit a page down to that, and are cut over pages below it.
MIN_POINTS_PER_PX = 0.54
PRINT_POINTS_PER_PX = 0.6  # charts are rendered to fill their room at this scale
CHART_ROOM = FRAME_HEIGHT - 110  # points under a two-line takeaway and above a one-line note
MAX_CHART_PAGES = 5  # pages of one chart; past them, a line says where the rest is
MORE_GROUPS = "{left:,} more groups are in the HTML pack and in the chart's CSV export."
CUT_SHORT = "The chart continues beyond these pages; the HTML pack and the chart export show all of it."
TABLE_SIZES = (10.5, 10, 9.5, 9)  # points: the largest at which the table fits the page
CELL_PADDING = 5
HEADER_FILL = "#F2F4F7"
FOOTER_SIZE = 9
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)  # fmt: skip


def fonts() -> tuple[str, str]:
    """(regular, bold) font names: a TTF found on this machine, else reportlab's Helvetica."""
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            if "PackSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("PackSans", regular))
                pdfmetrics.registerFont(TTFont("PackSans-Bold", bold))
                pdfmetrics.registerFontFamily("PackSans", normal="PackSans", bold="PackSans-Bold")
            return "PackSans", "PackSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    text = colors.HexColor(theme.TEXT)
    grey = colors.HexColor(theme.GREY)
    base = ParagraphStyle("base", fontName=regular, fontSize=11, leading=15, textColor=text)
    return {
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=26, leading=32, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=14, leading=19, textColor=grey),
        "h1": ParagraphStyle("h1", base, fontName=bold, fontSize=18, leading=23, spaceAfter=8),
        "kicker": ParagraphStyle("kicker", base, fontSize=10, leading=13, textColor=grey),
        "bullet": ParagraphStyle(
            "bullet", base, leftIndent=14, bulletIndent=2, spaceAfter=5, bulletFontName=regular
        ),
        "body": ParagraphStyle("body", base, spaceAfter=6),
        "bold": ParagraphStyle("bold", base, fontName=bold, spaceBefore=4),
        "note": ParagraphStyle("note", base, fontSize=9.5, leading=12, textColor=grey),
    }


def write_pdf(pack: Pack, path: Path) -> None:
    styles = _styles()
    story: list = [
        Paragraph(escape(pack.title), styles["title"]),
        Paragraph(escape(pack.subtitle), styles["subtitle"]),
        Paragraph(f"Generated {pack.generated_at:%d %b %Y %H:%M}", styles["kicker"]),
        Spacer(1, 16),
        Paragraph("Executive summary", styles["h1"]),
        *[Paragraph(escape(s), styles["bullet"], bulletText="•") for s in pack.summary],
    ]
    most = rows_that_fit(CHART_ROOM / PRINT_POINTS_PER_PX / theme.PRINT_FONT_SCALE)
    printed = [windows(s.figure, most) if s.figure is not None else ([], 0) for s in pack.slides]
    pngs = iter(
        slide_pngs(
            [fig for figs, _ in printed for fig in figs[:MAX_CHART_PAGES]],
            width=round(FRAME_WIDTH / PRINT_POINTS_PER_PX),
            height=round(CHART_ROOM / PRINT_POINTS_PER_PX),
        )
    )
    for slide, (figs, named) in zip(pack.slides, printed, strict=True):
        images = [next(pngs) for _ in figs[:MAX_CHART_PAGES]]
        left = named - most * MAX_CHART_PAGES if len(figs) > MAX_CHART_PAGES else 0
        story += _slide_pages(slide, [png for png in images if png is not None], left, styles)
    story += [PageBreak(), Paragraph("Methods and caveats", styles["h1"])]
    for note in pack.methods:
        story.append(
            KeepTogether(
                [Paragraph(escape(note.title), styles["bold"]), Paragraph(escape(note.text), styles["body"])]
            )
        )
    story += [PageBreak(), Paragraph("Data coverage", styles["h1"]), *_table(pack.coverage_table(), styles)]
    doc = SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 8,
        title=pack.title,
        subject=pack.subtitle,
        author="tokenyield",
        creator="tokenyield",
    )
    doc.build(story, canvasmaker=_numbered_canvas(pack.footer, fonts()[0]))


def _height(flowables: list, width: float = FRAME_WIDTH) -> float:
    """Points the flowables take in a frame of this width, their spacing included."""
    total = 0.0
    for flowable in flowables:
        total += flowable.wrap(width, FRAME_HEIGHT)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _slide_pages(slide: Slide, pngs: list[bytes], left: int, styles: dict[str, ParagraphStyle]) -> list:
    """The chart's page (or pages: a bar chart of many groups, a tall chart), then the table's page
    when the slide has both. `left`: named groups the chart pages had no room for."""

    def heading(part: str = "") -> list:
        return [
            Paragraph(escape(slide.title + part), styles["kicker"]),
            Paragraph(escape(slide.takeaway), styles["h1"]),
        ]

    note = [Spacer(1, 6), Paragraph(escape(slide.note), styles["note"])] if slide.note else []
    pages: list = []
    for number, png in enumerate(pngs, start=1):
        part = f" ({number} of {len(pngs)})" if len(pngs) > 1 else ""
        rest = (
            [Paragraph(MORE_GROUPS.format(left=left), styles["note"])] if left and number == len(pngs) else []
        )
        pages += _chart_pages(png, lambda more, part=part: heading(part + more), [*rest, *note], styles)
    if slide.table is not None:
        pages += [PageBreak(), *heading(), *_table(readable(slide.table), styles)]
        if not pngs:
            pages += note
    return pages


def _chart_pages(png: bytes, heading: Callable[[str], list], note: list, styles: dict) -> list:
    """The chart as large as the page allows; a chart taller than a page at the smallest scale its
    labels stay readable at (MIN_POINTS_PER_PX) goes on as many pages as it needs, cut between rows."""
    room = FRAME_HEIGHT - _height(heading(", continued (0 of 0)")) - _height(note) - 12
    width_px, height_px = (side / SLIDE.scale for side in png_size(png))
    scale = min(FRAME_WIDTH / width_px, room / height_px)
    if scale >= MIN_POINTS_PER_PX:
        image = Image(BytesIO(png), width=width_px * scale, height=height_px * scale)
        return [PageBreak(), *heading(""), image, *note]
    scale = PRINT_POINTS_PER_PX
    parts, whole = png_slices(png, int(room / scale * SLIDE.scale), MAX_CHART_PAGES)
    pages: list = []
    for number, part in enumerate(parts, start=1):
        part_height = png_size(part)[1] / SLIDE.scale
        label = f", continued ({number} of {len(parts)})" if number > 1 else ""
        pages += [
            PageBreak(),
            *heading(label),
            Image(BytesIO(part), width=width_px * scale, height=part_height * scale),
        ]
    if not whole:
        pages.append(Paragraph(CUT_SHORT, styles["note"]))
    return pages + note


def _table(table: Readable, styles: dict[str, ParagraphStyle]) -> list:
    """The table at the largest size that keeps every word whole (in column groups, one under the
    other, when it is too wide for the page), then its notes."""
    parts = fitted(table, FRAME_WIDTH, TABLE_SIZES, CELL_PADDING)
    out: list = []
    for part, size, widths in parts:
        out += [*_grid(part, size, widths, styles), Spacer(1, 10)]
    notes = [Paragraph(escape(line), styles["note"]) for line in table.notes]
    return [*out[:-1], Spacer(1, 6), *notes] if table.rows else notes


def _grid(table: Readable, size: float, widths: list[float], styles: dict[str, ParagraphStyle]) -> list:
    regular, bold = fonts()
    left = ParagraphStyle(
        "cell", styles["body"], fontSize=size, leading=size * 1.3, spaceAfter=0, splitLongWords=0
    )
    right = ParagraphStyle("cell_right", left, alignment=TA_RIGHT)
    head = {
        False: ParagraphStyle("head", left, fontName=bold),
        True: ParagraphStyle("head_right", right, fontName=bold),
    }
    cells = [
        [Paragraph(escape(value), right if table.numeric[c] else left) for c, value in enumerate(row)]
        for row in table.rows
    ]
    if table.has_header:
        cells.insert(
            0, [Paragraph(escape(name), head[table.numeric[c]]) for c, name in enumerate(table.header)]
        )
    if not table.rows:
        return []
    grid = Table(cells, colWidths=widths, repeatRows=1 if table.has_header else 0, hAlign="LEFT")
    style = [
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(theme.GRID)),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM" if table.has_header else "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("FONTNAME", (0, 0), (-1, -1), regular),
    ]
    if table.has_header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
            ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ]
    grid.setStyle(TableStyle(style))
    return [grid]


def _numbered_canvas(footer: str, font: str) -> type[canvas.Canvas]:
    """A canvas that writes the footer and 'page n of N' once the page count is known."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, FOOTER_SIZE)
                self.setFillColor(colors.HexColor(theme.GREY))
                self.drawString(MARGIN, MARGIN / 2, footer)
                self.drawRightString(
                    PAGE[0] - MARGIN, MARGIN / 2, f"page {self._pageNumber} of {len(self._pages)}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas
