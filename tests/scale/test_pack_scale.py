"""The review pack for organizations of about 30, 500 and 10,000 people (3, 60 and ~1,200 teams),
written as PDF and PPTX and read back word by word and shape by shape.

A page a VP takes into a review unedited has no overlapping text, no word broken inside itself,
no text under 9 pt; in the deck every bar, line and scatter chart is a native chart that names
its categories, and no two text boxes overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pdfplumber
import pytest
from pptx import Presentation
from pptx.util import Emu

from dashboard import charts
from dashboard.charts import analytics as analytics_charts
from pipelines.metrics.filters import Filters
from pipelines.privacy.scope import scope_units
from pipelines.privacy.viewer import Viewer, resolve
from pipelines.report import images, native, review
from pipelines.report.pack import Pack, Slide, write
from pipelines.report.pdf import CUT_SHORT, MORE_GROUPS
from pipelines.report.review import pack_for
from pipelines.report.tables import readable
from tests.scale.conftest import scale_warehouse

MIN_PT = 9
TEAM_PAGES = -1  # not a team count: the pack of the team charts and the teams table only
# (people, teams chosen): the whole org, or the first few teams of it
VIEWS = [
    pytest.param((30, 0), id="30-people"),  # no estimate at this size: the released sums, and why
    pytest.param((500, 3), id="500-people-3-teams"),
    pytest.param((500, 0), id="500-people"),
    pytest.param((10_000, 0), id="10000-people"),
    pytest.param((10_000, TEAM_PAGES), id="10000-people-team-pages"),
]


@pytest.fixture(scope="module", params=VIEWS)
def written(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Pack, Path, Path]]:
    """The organization's pack for its CTO (the whole org, or a few of its teams), as PDF and PPTX."""
    people, teams = request.param
    con = connect(tmp_path_factory, people)
    try:
        viewer = resolve(con, "demo-leader")
        if teams == TEAM_PAGES:
            pack = team_pages(con, viewer)
        else:
            chosen = tuple(scope_units(con, viewer)["team"].to_list()[:teams])
            pack = pack_for(con, viewer, Filters(teams=chosen))
    finally:
        con.close()
    out = tmp_path_factory.mktemp(f"pack-{people}")
    yield pack, write(pack, out / "review.pdf"), write(pack, out / "review.pptx")
    images.stop_server()


def team_pages(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> Pack:
    """The pack's team charts and the teams table of the whole org, one slide each, as pack_for makes
    them: the writers' paging of hundreds of named bars and table rows, whatever else the pack holds."""
    d = review.inputs(con, viewer, Filters())
    k = viewer.k
    by_team = d.analytics.tokenmaxxing.by_team
    slides = [
        Slide("Teams side by side", review._teams(d.teams, k), figure=charts.team_figures(d.teams, d.target)),
        Slide(
            "Flagged spend by team",
            review._flagged(d.analytics),
            figure=analytics_charts.flagged_spend(by_team),
        ),
        Slide("Teams", review._teams(d.teams, k), table=review.for_export(d.teams, k)),
    ]
    return Pack(
        title="Teams at scale",
        subtitle="The whole organization, team by team",
        generated_at=datetime(2026, 12, 6, 9, 0),
        summary=[review._teams(d.teams, k)],
        slides=slides,
        methods=[],
        coverage=review.coverage(con, d),
        footer=f"Aggregates only; groups under {k} people are suppressed.",
    )


def connect(tmp_path_factory: pytest.TempPathFactory, people: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(scale_warehouse(tmp_path_factory, people)), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    return con


def source_words(pack: Pack) -> set[str]:
    """Every word the pack was given to print, in every form a writer prints it."""
    texts = [pack.title, pack.subtitle, pack.footer, *pack.summary, f"{pack.generated_at:%d %b %Y %H:%M}"]
    texts += ["Generated", "Executive summary", "Methods and caveats", "Data coverage", "page of", "•"]
    texts += [f"{n.title} {n.text}" for n in pack.methods]
    tables = [pack.coverage_table()] + [readable(s.table) for s in pack.slides if s.table is not None]
    for table in tables:
        texts += [*table.header, *table.notes, *(cell for row in table.rows for cell in row)]
    for slide in pack.slides:
        texts += [slide.title, f"{slide.title}, continued", slide.takeaway, slide.note or ""]
    texts += [MORE_GROUPS, CUT_SHORT]  # what a chart too long for its pages says
    texts += [f"({number} {number})" for number in range(1, 10)]  # "continued (2 of 4)"
    return {word for text in texts for word in text.split()}


def overlaps(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float], slack: float
) -> bool:
    """Whether two (x0, top, x1, bottom) boxes overlap by more than `slack` each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def test_every_pdf_word_is_whole_readable_and_alone(written: tuple[Pack, Path, Path]) -> None:
    pack, pdf, _ = written
    known = source_words(pack)
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) >= 1 + len(pack.slides) + 2
        for number, page in enumerate(document.pages, start=1):
            words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False, use_text_flow=True)
            small = [(w["text"], round(w["size"], 1)) for w in words if w["size"] < MIN_PT - 0.01]
            assert not small, f"page {number}: text under {MIN_PT} pt: {small[:5]}"
            broken = [w["text"] for w in words if w["text"] not in known and not w["text"].isdigit()]
            assert not broken, f"page {number}: words not in the source (broken inside?): {broken[:8]}"
            boxes = [(w["x0"], w["top"], w["x1"], w["bottom"]) for w in words]
            clash = [
                (words[i]["text"], words[j]["text"])
                for i in range(len(boxes))
                for j in range(i + 1, len(boxes))
                if overlaps(boxes[i], boxes[j], slack=0.5)
            ]
            assert not clash, f"page {number}: overlapping words {clash[:5]}"


def test_the_pdf_tables_read_like_a_report(written: tuple[Pack, Path, Path]) -> None:
    pack, pdf, _ = written
    with pdfplumber.open(pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert not re.search(r"\bNone\b(?! of)", text)  # "None of them says..." is a sentence, not a cell
    # column names never show; the input tables' own names on the coverage page are what they are called
    named = "\n".join(line for line in text.splitlines() if not line.startswith("Input rows:"))
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", named), re.findall(r"\b[a-z]+_[a-z_]+\b", named)[:5]
    assert not re.search(r"\d\.\d{3,}", text), re.findall(r"\S*\d\.\d{3,}\S*", text)[:5]
    flat = " ".join(text.split())
    for table in [readable(s.table) for s in pack.slides if s.table is not None]:
        assert all(word in flat.split() for h in table.header for word in h.split())  # whole words


def test_pptx_charts_are_native_labelled_and_nothing_overlaps(written: tuple[Pack, Path, Path]) -> None:
    pack, _, pptx = written
    deck = Presentation(str(pptx))
    native_figures = [s for s in pack.slides if s.figure is not None and native.panels(s.figure)]
    assert native_figures, "no figure of the pack converts to a native chart"
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) >= len(native_figures)
    for chart in charts:
        plot = chart.plots[0]
        if chart.chart_type not in (-4169, 74):  # XY charts have numbers, not categories
            assert len(plot.categories) > 0 and all(str(c).strip() for c in plot.categories)
        sizes = [int(v) for v in re.findall(r'\bsz="(\d+)"', chart.part.blob.decode())]
        assert sizes and min(sizes) >= MIN_PT * 100, sorted(sizes)[:3]
    for number, slide in enumerate(deck.slides, start=1):
        boxes = []
        for shape in slide.shapes:
            box = (shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)
            assert box[2] <= deck.slide_width and box[3] <= deck.slide_height, (
                f"slide {number}: off the slide"
            )
            if shape.has_text_frame or shape.has_table:
                runs = [r for p in _paragraphs(shape) for r in p.runs if r.text.strip()]
                assert all(r.font.size is not None and r.font.size.pt >= MIN_PT for r in runs), number
            boxes.append((shape.name, box))
        clash = [
            (a, b)
            for i, (a, box_a) in enumerate(boxes)
            for b, box_b in boxes[i + 1 :]
            if overlaps(box_a, box_b, slack=Emu(12_700))
        ]
        assert not clash, f"slide {number}: overlapping shapes {clash[:3]}"


def _paragraphs(shape: object) -> list:
    if getattr(shape, "has_table", False):
        return [p for row in shape.table.rows for cell in row.cells for p in cell.text_frame.paragraphs]  # type: ignore[attr-defined]
    return list(shape.text_frame.paragraphs)  # type: ignore[attr-defined]
