"""Text on a slide, measured before it is placed: the deck's geometry, and text boxes as tall as
their text (Arial's metrics, which Liberation Sans shares), so that boxes never overlap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from dashboard import theme
from pipelines.report.tables import lines_needed

if TYPE_CHECKING:
    from pptx.slide import Slide as PptxSlide

WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.33 x 7.5 inches: exactly 16:9
SIDE = Inches(0.6)
INNER = WIDTH - 2 * SIDE
BOX_MARGIN = Inches(0.1)  # a text box's inner margin on each side (python-pptx's default)
FOOTER_TOP = HEIGHT - Inches(0.42)
GAP = Inches(0.1)
FONT = "Arial"
BLANK_LAYOUT = 6  # "Blank" in python-pptx's default template
TEXT = RGBColor.from_string(theme.TEXT.lstrip("#"))
GREY = RGBColor.from_string(theme.GREY.lstrip("#"))


def line_count(text: str, size: float, width: int = INNER, bold: bool = False) -> int:
    usable = Emu(width - 2 * BOX_MARGIN).pt
    return sum(lines_needed(line, usable, size, bold) for line in text.split("\n"))


def box_height(text: str, size: float, bold: bool = False, space: float = 0) -> int:
    """EMU a text box needs: its lines at 1.2 line spacing, spacing after paragraphs, its margins."""
    lines = line_count(text, size, bold=bold)
    paragraphs = text.count("\n") + 1
    return Pt(lines * size * 1.2 + paragraphs * space) + 2 * Inches(0.05) + Pt(2)


def add_text(
    slide: PptxSlide, top: int, text: str, size: float, *, bold: bool = False, color: RGBColor = TEXT
) -> int:
    """A full-width text box as tall as its text; returns its bottom."""
    height = box_height(text, size, bold)
    frame = slide.shapes.add_textbox(SIDE, top, INNER, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.color.rgb, run.font.name = Pt(size), bold, color, FONT
    return top + height


def add_paragraphs(
    slide: PptxSlide, top: int, items: list[tuple[str, str]], size: float, space: float
) -> None:
    """Paragraphs (a bold lead-in, then text) in one box as tall as they are."""
    text = "\n".join(f"{lead}. {body}" if lead else body for lead, body in items)
    height = box_height(text, size, space=space)
    frame = slide.shapes.add_textbox(SIDE, top, INNER, height).text_frame
    frame.word_wrap = True
    for i, (lead, body) in enumerate(items):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(space)
        runs = [(f"{lead}. ", True), (body, False)] if lead else [(body, False)]
        for words, bold in runs:
            run = paragraph.add_run()
            run.text = words
            run.font.size, run.font.bold, run.font.color.rgb, run.font.name = Pt(size), bold, TEXT, FONT


def fill_slides(items: list[tuple[str, float]], space: float, reserve: int = 0) -> list[list[int]]:
    """Indexes of the items per slide, as many as fit under a two-line heading and above the footer."""
    room = FOOTER_TOP - GAP - Inches(2.05) - reserve
    parts: list[list[int]] = [[]]
    used = 0
    for index, (text, size) in enumerate(items):
        height = Pt(line_count(text, size) * size * 1.2 + space)
        if parts[-1] and used + height > room:
            parts.append([])
            used = 0
        parts[-1].append(index)
        used += height
    return parts
