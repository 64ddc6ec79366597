"""The review pack as a 16:9 PowerPoint deck (python-pptx), text sized to be read from a slide.

Title slide, the executive summary (five sentences a slide), one slide per chart with its takeaway
as the title line, then methods and caveats and data coverage. Charts are PNGs from the shared
export server, so the deck opens anywhere without fonts or network.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from dashboard import theme
from pipelines.report.images import slide_pngs
from pipelines.report.tables import TABLE_ROWS, table_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from pptx.slide import Slide as PptxSlide

    from pipelines.report.pack import MethodNote, Pack, Slide

WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.33 x 7.5 inches: exactly 16:9
SIDE = Inches(0.6)
INNER = WIDTH - 2 * SIDE
SENTENCES_PER_SLIDE = 5
NOTES_PER_SLIDE = 4
BLANK_LAYOUT = 6  # "Blank" in python-pptx's default template
TEXT = RGBColor.from_string(theme.TEXT.lstrip("#"))
GREY = RGBColor.from_string(theme.GREY.lstrip("#"))


def write_pptx(pack: Pack, path: Path) -> None:
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = pack.title
    deck.core_properties.subject = pack.subtitle
    deck.core_properties.author = "tokenyield"
    pages: list[PptxSlide] = []

    def new(kicker: str, heading: str) -> PptxSlide:
        slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
        _box(slide, Inches(0.35), Inches(0.4), kicker, 14, color=GREY)
        _box(slide, Inches(0.7), Inches(1.0), heading, 26, bold=True)
        pages.append(slide)
        return slide

    cover = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    pages.append(cover)
    _box(cover, Inches(2.3), Inches(1.2), pack.title, 40, bold=True)
    _box(cover, Inches(3.6), Inches(1.0), pack.subtitle, 20, color=GREY)
    _box(cover, Inches(4.6), Inches(0.5), f"Generated {pack.generated_at:%d %b %Y %H:%M}", 14, color=GREY)

    for part in _chunks(pack.summary, SENTENCES_PER_SLIDE):
        slide = new("Executive summary", "What the figures say")
        _box(slide, Inches(1.9), Inches(4.9), "\n".join(f"•  {s}" for s in part), 17, space=10)

    pngs = slide_pngs([slide.figure for slide in pack.slides])
    for content, png in zip(pack.slides, pngs, strict=True):
        _content_slides(content, png, new)

    for part in _chunks(pack.methods, NOTES_PER_SLIDE):
        _notes(new("Methods and caveats", "How the figures are made, and what they cannot say"), part)

    header, rows = pack.coverage_rows()
    for part in _chunks(rows, TABLE_ROWS):
        _table(new("Data coverage", "What the figures are built from"), header, part)

    for number, slide in enumerate(pages, start=1):
        footer = f"{pack.footer}    {number} / {len(pages)}"
        _box(slide, HEIGHT - Inches(0.4), Inches(0.35), footer, 10, color=GREY)
    deck.save(str(path))


def _content_slides(content: Slide, png: bytes | None, new: Callable[[str, str], PptxSlide]) -> None:
    if png is not None:
        slide = new(content.title, content.takeaway)
        height = Inches(4.75)
        width = Emu(int(height * theme.PRINT_WIDTH / theme.PRINT_HEIGHT))
        slide.shapes.add_picture(BytesIO(png), (WIDTH - width) // 2, Inches(2.0), width, height)
        if content.note:
            _box(slide, Inches(6.78), Inches(0.3), content.note, 12, color=GREY)
    if content.table is not None:
        slide = new(content.title, content.takeaway)
        header, rows = table_text(content.table)
        _table(slide, header, rows)
        hidden = content.table.height - len(rows)
        note = f"First {len(rows)} of {content.table.height:,} rows; the CSV has all." if hidden > 0 else ""
        if content.note and png is None:
            note = f"{content.note}  {note}".strip()
        if note:
            _box(slide, Inches(6.78), Inches(0.3), note, 12, color=GREY)


def _box(
    slide: PptxSlide,
    top: int,
    height: int,
    text: str,
    size: float,
    *,
    bold: bool = False,
    color: RGBColor = TEXT,
    space: float = 0,
) -> None:
    """A full-width text box; each line of text is a paragraph."""
    frame = slide.shapes.add_textbox(SIDE, top, INNER, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(space)
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color


def _notes(slide: PptxSlide, notes: list[MethodNote]) -> None:
    frame = slide.shapes.add_textbox(SIDE, Inches(1.9), INNER, Inches(4.9)).text_frame
    frame.word_wrap = True
    for i, note in enumerate(notes):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(10)
        title, text = paragraph.add_run(), paragraph.add_run()
        title.text, text.text = f"{note.title}. ", note.text
        for run in (title, text):
            run.font.size, run.font.color.rgb = Pt(15), TEXT
        title.font.bold = True


def _table(slide: PptxSlide, header: list[str], rows: list[list[str]]) -> None:
    data = ([header] if any(header) else []) + rows
    if not data:
        _box(slide, Inches(2.0), Inches(0.5), "Nothing to show in this view.", 16, color=GREY)
        return
    shape = slide.shapes.add_table(
        len(data), len(data[0]), SIDE, Inches(1.9), INNER, Inches(0.32) * len(data)
    )
    for r, row in enumerate(data):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = value
            font = cell.text_frame.paragraphs[0].runs[0].font if value else None
            if font is not None:
                font.size = Pt(13)
    shape.table.first_row = any(header)


def _chunks(items: list, size: int) -> list[list]:
    """items in slices of size; one empty slice when there are none, so the slide still exists."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]
