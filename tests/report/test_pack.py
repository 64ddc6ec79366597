"""The review pack written as PDF, PPTX and HTML, reopened and looked at page by page."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from pipelines.report import images
from pipelines.report.pack import Pack, Slide, write
from tests.report.test_images import decoded, external_refs

CHARTS = 4  # chart slides in the pack under test, plus one table slide
PackFactory = Callable[[int], Pack]


def rasterised(pdf: Path, out: Path) -> list[np.ndarray]:
    """Every page as a grey image at 40 dpi, through poppler's pdftoppm (PGM output)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "40", str(pdf), str(out / "page")], check=True)
    return [read_pgm(path) for path in sorted(out.glob("page-*.pgm"))]


def read_pgm(path: Path) -> np.ndarray:
    """A binary PGM (P5): magic, width, height, maxval, then one byte per pixel."""
    data = path.read_bytes()
    fields, offset = [], 0
    while len(fields) < 4:
        while data[offset : offset + 1].isspace():
            offset += 1
        end = offset
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[offset:end])
        offset = end
    magic, width, height, _maxval = fields
    assert magic == b"P5"
    pixels = np.frombuffer(data[offset + 1 :], dtype=np.uint8, count=int(width) * int(height))
    return pixels.reshape(int(height), int(width))


def ink(page: np.ndarray) -> float:
    """Share of non-white pixels above the footer band (a page with only its footer is blank)."""
    body = page[: int(page.shape[0] * 0.92)]
    return float((body < 230).mean())


@pytest.fixture(scope="module")
def pdf_pages(
    export_server: images.ExportServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Pack]:
    from tests.report.conftest import make_pack

    pack = make_pack(CHARTS)
    path = write(pack, tmp_path_factory.mktemp("pdf") / "review.pdf")
    return path, pack


def test_pdf_has_one_page_per_part(pdf_pages: tuple[Path, Pack]) -> None:
    path, pack = pdf_pages
    reader = PdfReader(path)
    expected = 1 + CHARTS + 1 + 1 + 1  # summary, charts, table, methods, coverage
    assert len(reader.pages) == expected
    texts = [page.extract_text() for page in reader.pages]
    assert "Executive summary" in texts[0] and pack.summary[0] in " ".join(texts[0].split())
    for slide, text in zip(pack.slides, texts[1:], strict=False):
        assert slide.takeaway in " ".join(text.split())
    assert "Methods and caveats" in texts[-2] and "Data coverage" in texts[-1]
    assert all(f"page {i} of {expected}" in text for i, text in enumerate(texts, start=1))
    assert all("groups under 5 people are suppressed" in text for text in texts)
    assert reader.metadata.title == pack.title
    width, height = reader.pages[1].mediabox.width, reader.pages[1].mediabox.height
    assert (round(width), round(height)) == tuple(round(x) for x in landscape(A4))


def test_no_pdf_page_is_blank(pdf_pages: tuple[Path, Pack], tmp_path: Path) -> None:
    path, _ = pdf_pages
    pages = rasterised(path, tmp_path)
    assert len(pages) == len(PdfReader(path).pages)
    shares = [ink(page) for page in pages]
    assert min(shares) > 0.002, shares
    assert all(shares[i] > 0.01 for i in range(1, 1 + CHARTS)), shares  # the chart pages hold a chart


def test_the_blank_check_catches_a_page_with_only_a_footer(tmp_path: Path) -> None:
    blank = tmp_path / "blank.pdf"
    sheet = canvas.Canvas(str(blank), pagesize=landscape(A4))
    sheet.drawString(40, 20, "Aggregates only; groups under 5 people are suppressed.    page 1 of 1")
    sheet.save()
    (page,) = rasterised(blank, tmp_path)
    assert ink(page) == 0.0


def test_pptx_charts_are_native_charts_of_the_figures_data(
    export_server: images.ExportServer, pack_factory: PackFactory, tmp_path: Path
) -> None:
    pack = pack_factory(CHARTS)
    deck = Presentation(str(write(pack, tmp_path / "review.pptx")))
    assert deck.slide_width * 9 == deck.slide_height * 16
    slides = list(deck.slides)
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    assert pack.title in texts[0]
    summary_slides = next(i for i, text in enumerate(texts) if pack.slides[0].takeaway in text) - 1
    summary_text = "\n".join(texts[1 : 1 + summary_slides])
    assert all(sentence in summary_text for sentence in pack.summary)
    for offset, content in enumerate(pack.slides[:CHARTS]):
        slide = slides[1 + summary_slides + offset]
        assert content.takeaway in texts[1 + summary_slides + offset]
        assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        charts = [s.chart for s in slide.shapes if s.has_chart]
        assert charts
        weeks = {str(w) for w in content.figure.data[0].x}  # the weekly charts: weeks are the categories
        plotted = [v for chart in charts for series in chart.series for v in series.values if v is not None]
        assert len(charts[0].plots[0].categories) == len(weeks)
        first = content.figure.data[0].y[0]
        assert any(abs(v - first) < 1e-9 for v in plotted)
    table_slide = slides[1 + summary_slides + CHARTS]
    (table,) = [s.table for s in table_slide.shapes if s.has_table]
    assert len(table.rows) == 1 + pack.slides[-1].table.height
    assert [c.text for c in table.rows[0].cells] == ["Usage decile", "People", "Cost per merged PR"]
    assert "Methods and caveats" in texts[-2] and "Data coverage" in texts[-1]
    assert all(f"{i} / {len(slides)}" in text for i, text in enumerate(texts, start=1))


def test_a_figure_without_a_native_chart_type_is_a_picture(
    export_server: images.ExportServer, pack_factory: PackFactory, tmp_path: Path
) -> None:
    base = pack_factory(0)
    heat = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], x=["a", "b"], y=["c", "d"]), layout={"title": "cells"})
    pack = replace(base, slides=[Slide("Density", "Where people are", figure=heat)])
    deck = Presentation(str(write(pack, tmp_path / "review.pptx")))
    chart_slide = next(s for s in deck.slides if "Where people are" in _text(s))
    (picture,) = [s for s in chart_slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert decoded(picture.image.blob).std() > 10
    assert not [s for s in chart_slide.shapes if s.has_chart]


def _text(slide: object) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)  # type: ignore[attr-defined]


def test_html_pack_is_one_offline_file_with_every_slide(pack_factory: PackFactory, tmp_path: Path) -> None:
    pack = pack_factory(CHARTS)
    html = write(pack, tmp_path / "review.html").read_text(encoding="utf-8")
    assert html.count("plotly.js v") == 1  # the library once, however many charts
    assert html.count("Plotly.newPlot(") == CHARTS
    assert external_refs(html) == []
    assert "default-src 'none'" in html  # the browser itself refuses any network load
    for slide in pack.slides:
        assert slide.title in html and slide.takeaway in html
    assert all(sentence.replace("'", "&#x27;") in html for sentence in pack.summary)
    assert "Methods and caveats" in html and "Data coverage" in html


def test_text_from_the_data_is_escaped_in_every_format(
    export_server: images.ExportServer, pack_factory: PackFactory, tmp_path: Path
) -> None:
    base = pack_factory(0)
    pack = replace(
        base, title="Q1 <R&D> review", coverage=pl.DataFrame({"team": ["<b>web</b>"], "people": [5]})
    )
    html = write(pack, tmp_path / "review.html").read_text(encoding="utf-8")
    assert "Q1 &lt;R&amp;D&gt; review" in html and "&lt;b&gt;web&lt;/b&gt;" in html
    text = " ".join(page.extract_text() for page in PdfReader(write(pack, tmp_path / "review.pdf")).pages)
    assert "Q1 <R&D> review" in text and "<b>web</b>" in text
    deck = Presentation(str(write(pack, tmp_path / "review.pptx")))
    assert "Q1 <R&D> review" in deck.slides[0].shapes[0].text_frame.text


def test_an_unknown_format_is_refused_with_the_formats_named(
    pack_factory: PackFactory, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"\.pdf, \.pptx or \.html"):
        write(pack_factory(0), tmp_path / "review.docx")
    assert not (tmp_path / "review.docx").exists()


def test_the_suffix_is_read_without_regard_to_case(pack_factory: PackFactory, tmp_path: Path) -> None:
    path = write(pack_factory(0), tmp_path / "nested" / "REVIEW.HTML")
    assert path.is_file() and path.read_bytes().startswith(b"<!DOCTYPE html>")
    assert BytesIO(path.read_bytes()).read(15) == b"<!DOCTYPE html>"
