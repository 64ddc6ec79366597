"""The review pack's slide on AI spend against people cost: built from the viewer's figures (the same
sentence `summary` prints), with the share chart beside the 50% reference line; written to PPTX it
is one slide with its native chart. Without cost bands the slide says how to turn the feature on."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
from pptx import Presentation

from pipelines.build import build
from pipelines.metrics import people_cost
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import resolve
from pipelines.report import images, review
from pipelines.report.pack import Pack, write
from pipelines.settings import Settings
from pipelines.warehouse import connect_read_only
from tests.privacy.test_people_cost_release import BANDS, write_org
from tests.report.test_review import CAUSAL

TITLE = "AI spend against people cost"


def test_the_slide_shows_the_share_against_the_reference_and_writes_to_pptx(
    demo_warehouse: Path, export_server: images.ExportServer, tmp_path: Path
) -> None:
    con = connect_read_only(demo_warehouse)
    try:
        viewer = resolve(con, "demo-leader")
        slide = review.people_cost_slide(con, viewer, Filters())
        figures = views.people_cost(con, viewer, Filters())
        pack = review.pack_for(con, viewer, Filters())
    finally:
        con.close()
    assert slide.title == TITLE
    assert slide.takeaway == people_cost.sentence(people_cost.summary(figures))
    assert not [w for w in CAUSAL if f" {w} " in slide.takeaway.lower()]
    traces = {t.name: t for t in slide.figure.data}
    line = traces["AI spend ÷ people cost"]
    assert (
        list(line.y)
        == figures.weekly.drop_nulls("ai_share_of_people_cost")["ai_share_of_people_cost"].to_list()
    )
    reference = next(t for name, t in traces.items() if name.startswith(people_cost.REFERENCE_LABEL))
    assert set(reference.y) == {people_cost.REFERENCE_SHARE} and "not a target" in reference.name
    assert [s.title for s in pack.slides].count(TITLE) == 1
    assert any(m.title == TITLE and people_cost.MARGINAL_METHOD in m.text for m in pack.methods)

    one = Pack("t", "s", datetime(2026, 12, 6), ["A sentence."], [slide], [], [("a", "b")])
    deck = Presentation(str(write(one, tmp_path / "cost.pptx")))
    (chart_slide,) = [
        s for s in deck.slides if any(TITLE in sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
    ]
    charts = [s.chart for s in chart_slide.shapes if s.has_chart]  # native, editable charts
    assert charts and any(len(list(c.plots[0].series)) >= 2 for c in charts)  # the share and the 50% line


def test_without_cost_bands_the_slide_says_how_to_turn_it_on(tmp_path: Path) -> None:
    folder = write_org(tmp_path / "org", BANDS)
    (folder / "cost_bands.csv").unlink()
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    con = duckdb.connect(str(db), read_only=True)
    try:
        slide = review.people_cost_slide(con, resolve(con, "m0@x.io"), Filters())
    finally:
        con.close()
    assert (slide.title, slide.takeaway, slide.figure) == (TITLE, people_cost.TURN_ON, None)
