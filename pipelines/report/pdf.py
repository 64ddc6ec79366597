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
from pipelines.report.images import slide_pngs
from pipelines.report.tables import TABLE_ROWS, table_text

if TYPE_CHECKING:
    from pipelines.report.pack import Pack, Slide

PAGE = landscape(A4)
MARGIN = 14 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN
CHART_HEIGHT = 410  # points; the chart keeps its 16:9 shape below the takeaway
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
        "bullet": ParagraphStyle("bullet", base, leftIndent=14, bulletIndent=2, spaceAfter=5),
        "body": ParagraphStyle("body", base, spaceAfter=6),
        "bold": ParagraphStyle("bold", base, fontName=bold, spaceBefore=4),
        "note": ParagraphStyle("note", base, fontSize=9.5, leading=12, textColor=grey),
        "cell": ParagraphStyle("cell", base, fontSize=9.5, leading=12),
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=bold, fontSize=9.5, leading=12),
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
    pngs = slide_pngs([slide.figure for slide in pack.slides])
    for slide, png in zip(pack.slides, pngs, strict=True):
        story += _slide_pages(slide, png, styles)
    story += [PageBreak(), Paragraph("Methods and caveats", styles["h1"])]
    for note in pack.methods:
        story.append(
            KeepTogether(
                [Paragraph(escape(note.title), styles["bold"]), Paragraph(escape(note.text), styles["body"])]
            )
        )
    header, rows = pack.coverage_rows()
    story += [PageBreak(), Paragraph("Data coverage", styles["h1"]), _table(header, rows, styles)]
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


def _slide_pages(slide: Slide, png: bytes | None, styles: dict[str, ParagraphStyle]) -> list:
    """The chart's page, then the table's page when the slide has both."""
    heading = [
        Paragraph(escape(slide.title), styles["kicker"]),
        Paragraph(escape(slide.takeaway), styles["h1"]),
    ]
    note = [Spacer(1, 6), Paragraph(escape(slide.note), styles["note"])] if slide.note else []
    pages: list = []
    if png is not None:
        width = CHART_HEIGHT * theme.PRINT_WIDTH / theme.PRINT_HEIGHT
        pages += [PageBreak(), *heading, Image(BytesIO(png), width=width, height=CHART_HEIGHT), *note]
    if slide.table is not None:
        header, rows = table_text(slide.table)
        more = slide.table.height - len(rows)
        rest = [
            Paragraph(f"First {TABLE_ROWS} of {slide.table.height:,} rows; the CSV has all.", styles["note"])
        ]
        pages += [PageBreak(), *heading, _table(header, rows, styles), *(rest if more > 0 else [])]
        if png is None:
            pages += note
    return pages


def _table(header: list[str], rows: list[list[str]], styles: dict[str, ParagraphStyle]) -> Table:
    show_header = any(header)
    cells = [[Paragraph(escape(value), styles["cell"]) for value in row] for row in rows]
    if show_header:
        cells.insert(0, [Paragraph(escape(name), styles["cell_bold"]) for name in header])
    table = Table(cells, repeatRows=1 if show_header else 0, hAlign="LEFT")
    style = [
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(theme.GRID)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 10),
    ]
    if show_header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F4F7")))
    table.setStyle(TableStyle(style))
    return table


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
                self.setFont(font, 8.5)
                self.setFillColor(colors.HexColor(theme.GREY))
                self.drawString(MARGIN, MARGIN / 2, footer)
                self.drawRightString(
                    PAGE[0] - MARGIN, MARGIN / 2, f"page {self._pageNumber} of {len(self._pages)}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas
