"""The review pack as a 16:9 PowerPoint deck (python-pptx), text sized to be read from a slide.

Title slide, the executive summary, one slide per chart with its takeaway as the title line, then
methods and caveats and data coverage. Charts are native, editable PowerPoint charts wherever the
figure converts (pipelines/report/native.py: bars, lines, scatter), and a picture from the shared
export server where it does not (heatmaps, densities, many small multiples). Every text box is
measured before it is placed (Arial, whose widths Liberation Sans shares), so boxes never overlap,
words wrap only at spaces and no text is under 9 pt.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from pipelines.report import native
from pipelines.report.deck_charts import add_panels, categories_that_fit
from pipelines.report.deck_text import (
    BLANK_LAYOUT,
    BOX_MARGIN,
    FONT,
    FOOTER_TOP,
    GAP,
    GREY,
    HEIGHT,
    INNER,
    SIDE,
    TEXT,
    WIDTH,
    add_paragraphs,
    add_text,
    box_height,
    fill_slides,
    line_count,
)
from pipelines.report.images import SLIDE, png_size, png_slices, slide_pngs
from pipelines.report.pdf import MIN_POINTS_PER_PX, PRINT_POINTS_PER_PX
from pipelines.report.tables import Readable, fitted, lines_needed, readable

if TYPE_CHECKING:
    from collections.abc import Callable

    from pptx.slide import Slide as PptxSlide

    from pipelines.report.pack import MethodNote, Pack, Slide

NewSlide = "Callable[[str, str], tuple[PptxSlide, int]]"  # a slide with a kicker and heading; content top
HEADER_FILL = RGBColor.from_string("F2F4F7")  # as the PDF's and the HTML pack's header rows
WHITE = RGBColor(255, 255, 255)
HEADING_SIZES = (26, 24, 22, 20)  # points: the largest at which the takeaway takes two lines
TABLE_SIZES = (14, 13, 12, 11, 10)
NOTE_SIZE = 12
CHART_ROOM = Inches(4.9)  # under a two-line takeaway and above a one-line note
MAX_CHART_SLIDES = 5  # slides of one chart, as the PDF's pages; past them, a line says where the rest is


def write_pptx(pack: Pack, path: Path) -> None:
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = pack.title
    deck.core_properties.subject = pack.subtitle
    deck.core_properties.author = "tokenyield"
    pages: list[PptxSlide] = []

    def new(kicker: str, heading: str) -> tuple[PptxSlide, int]:
        """A slide with its kicker and heading; returns it and where its content may start."""
        slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
        pages.append(slide)
        below = add_text(slide, Inches(0.3), kicker, 14, color=GREY)
        size = next((s for s in HEADING_SIZES if line_count(heading, s, bold=True) <= 2), HEADING_SIZES[-1])
        return slide, add_text(slide, below, heading, size, bold=True) + GAP

    cover = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    pages.append(cover)
    below = add_text(cover, Inches(2.0), pack.title, 40, bold=True)
    below = add_text(cover, below + GAP, pack.subtitle, 20, color=GREY)
    add_text(cover, below + GAP, f"Generated {pack.generated_at:%d %b %Y %H:%M}", 14, color=GREY)

    for part in fill_slides([(s, 17) for s in pack.summary], 10):
        slide, top = new("Executive summary", "What the figures say")
        add_paragraphs(slide, top, [("", f"•  {pack.summary[i]}") for i in part], 17, 10)

    pictures = [
        c.figure if c.figure is not None and native.panels(c.figure) is None else None for c in pack.slides
    ]
    pngs = slide_pngs(
        pictures,
        width=round(Emu(INNER).pt / PRINT_POINTS_PER_PX),
        height=round(CHART_ROOM.pt / PRINT_POINTS_PER_PX),
    )
    for content, png in zip(pack.slides, pngs, strict=True):
        _content_slides(content, png, new)

    notes = [(f"{n.title}. {n.text}", 15) for n in pack.methods]
    for part in fill_slides(notes, 10, reserve=Inches(0.2)):
        slide, top = new("Methods and caveats", "How the figures are made, and what they cannot say")
        add_paragraphs(slide, top, [(n.title, n.text) for n in _notes_of(pack.methods, part)], 15, 10)

    _table_slides(pack.coverage_table(), lambda: new("Data coverage", "What the figures are built from"))

    for number, slide in enumerate(pages, start=1):
        footer = f"{pack.footer}    {number} / {len(pages)}"
        add_text(slide, FOOTER_TOP, footer, 10, color=GREY)
    deck.save(str(path))


def _content_slides(content: Slide, png: bytes | None, new: NewSlide) -> None:
    if content.figure is not None:
        found = native.panels(content.figure)
        if found is not None:
            _native_slides(content, found, new)
        elif png is not None:
            _picture_slides(content, png, new)
    if content.table is not None:
        notes = [content.note] if content.note and content.figure is None else []
        _table_slides(readable(content.table), lambda: new(content.title, content.takeaway), notes)


def _room(slide: PptxSlide, top: int, note: str | None) -> int:
    """Write the note above the footer; returns the bottom of the room left for the content."""
    if not note:
        return FOOTER_TOP - GAP
    height = box_height(note, NOTE_SIZE)
    add_text(slide, FOOTER_TOP - height, note, NOTE_SIZE, color=GREY)
    return FOOTER_TOP - height - GAP


def _native_slides(content: Slide, found: list[native.Panel], new: NewSlide) -> None:
    probe = 4.3  # inches: a chart area's usual height, to count the names a slide can label
    most = categories_that_fit(found, Inches(probe))
    parts = native.pages(found, most, noun=_noun(found))
    shown = parts[:MAX_CHART_SLIDES]
    for number, part in enumerate(shown, start=1):
        slide, top = new(content.title, content.takeaway)
        note = content.note or ""
        if number == len(shown) and len(parts) > len(shown):
            left = sum(len(p[0].categories) for p in parts[len(shown) :])
            note = f"{note} {left:,} more are in the HTML pack and the CSV export.".strip()
        bottom = _room(slide, top, note)
        add_panels(slide, part, SIDE, top, INNER, bottom - top)


def _noun(found: list[native.Panel]) -> str:
    title = next((p.category_title for p in found if p.category_title), "")
    return f"{title}s" if title and not title.endswith("s") else title or "groups"


def _picture_slides(content: Slide, png: bytes, new: NewSlide) -> None:
    """The picture as large as the room allows, on as many slides as its height needs."""
    width_px, height_px = (side / SLIDE.scale for side in png_size(png))
    slide, top = new(content.title, content.takeaway)
    bottom = _room(slide, top, content.note)
    room = bottom - top
    scale = min(INNER / width_px, room / height_px)  # EMU per layout pixel
    least = Pt(MIN_POINTS_PER_PX)  # 12 px text, printed at 16.8 px, stays 9 pt or more
    if scale >= least:
        _picture(slide, png, top, int(width_px * scale), int(height_px * scale))
        return
    scale = Pt(PRINT_POINTS_PER_PX)
    parts, whole = png_slices(png, int(room / scale * SLIDE.scale), MAX_CHART_SLIDES)
    for number, part in enumerate(parts, start=1):
        if number > 1:
            slide, top = new(f"{content.title}, continued ({number} of {len(parts)})", content.takeaway)
            end = (
                "" if whole or number < len(parts) else "The chart continues: the HTML pack shows all of it."
            )
            _room(slide, top, f"{content.note or ''} {end}".strip())
        part_px = png_size(part)[1] / SLIDE.scale
        _picture(slide, part, top, int(width_px * scale), int(part_px * scale))


def _picture(slide: PptxSlide, png: bytes, top: int, width: int, height: int) -> None:
    slide.shapes.add_picture(BytesIO(png), (WIDTH - width) // 2, top, width, height)


def _table_slides(
    table: Readable, new: Callable[[], tuple[PptxSlide, int]], notes: list[str] | None = None
) -> None:
    """The table over as many slides as its rows need, the header on each; notes under the last. A
    table too wide for a slide goes in column groups, each on its own slides with the rows' names."""
    parts = fitted(table, Emu(INNER).pt, TABLE_SIZES, Emu(BOX_MARGIN).pt)
    for number, (part, size, widths) in enumerate(parts, start=1):
        last = number == len(parts)
        _table_part(part, size, widths, new, notes if last else None, last)


def _table_part(
    table: Readable,
    size: float,
    widths: list[float],
    new: Callable[[], tuple[PptxSlide, int]],
    notes: list[str] | None,
    last: bool,
) -> None:
    line = size * 1.2
    heights = [
        max(
            lines_needed(t, w - 2 * Emu(BOX_MARGIN).pt, size, bold=bold)
            for t, w in zip(row, widths, strict=True)
        )
        * line
        + 2 * Emu(Inches(0.05)).pt
        + 2
        for row, bold in [(table.header, True), *[(r, False) for r in table.rows]]
    ]
    header_height, row_heights = heights[0] if table.has_header else 0, heights[1:]
    remark = " ".join([*(table.notes if last else []), *(notes or [])]).strip()
    start = 0
    while True:
        slide, top = new()
        bottom = FOOTER_TOP - GAP - (box_height(remark, NOTE_SIZE) if remark else 0)
        room = Emu(bottom - top).pt - header_height
        stop = start
        while stop < len(row_heights) and sum(row_heights[start : stop + 1]) <= room:
            stop += 1
        stop = max(stop, min(start + 1, len(row_heights)))
        if stop > start:
            _table(slide, table, start, stop, top, size, widths, [header_height, *row_heights[start:stop]])
        start = stop
        if start >= len(row_heights):
            _room(slide, top, remark)  # the notes under the table's last part
            return


def _table(
    slide: PptxSlide,
    table: Readable,
    start: int,
    stop: int,
    top: int,
    size: float,
    widths: list[float],
    heights: list[float],
) -> None:
    data = ([table.header] if table.has_header else []) + table.rows[start:stop]
    used = heights if table.has_header else heights[1:]
    shape = slide.shapes.add_table(len(data), len(widths), SIDE, top, Pt(sum(widths)), Pt(sum(used)))
    grid = shape.table
    grid.first_row = table.has_header
    grid.horz_banding = False
    for c, width in enumerate(widths):
        grid.columns[c].width = Pt(width)
    for r, row in enumerate(data):
        grid.rows[r].height = Pt(used[r])
        header = table.has_header and r == 0
        for c, value in enumerate(row):
            cell = grid.cell(r, c)
            cell.text = value
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.RIGHT if table.numeric[c] else PP_ALIGN.LEFT
            for run in paragraph.runs:
                run.font.size, run.font.name, run.font.bold = Pt(size), FONT, header
                run.font.color.rgb = TEXT
            cell.fill.solid()
            cell.fill.fore_color.rgb = HEADER_FILL if header else WHITE


def _notes_of(notes: list[MethodNote], indexes: list[int]) -> list[MethodNote]:
    return [notes[i] for i in indexes]
