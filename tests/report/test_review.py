"""Exports through the privacy views, on the demo warehouse: what a leader and a manager get, what an
individual is refused, and the `report` / `export-charts` commands writing files that reopen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import polars as pl
import pytest
from pptx import Presentation
from pypdf import PdfReader
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.metrics.analytics import REFERENCES
from pipelines.metrics.filters import Filters
from pipelines.privacy import audit, views
from pipelines.privacy.audit_key import INDEX_KIND
from pipelines.privacy.viewer import AccessDenied, Viewer, resolve
from pipelines.report import images, review
from pipelines.report.tables import table_csv
from pipelines.warehouse import connect_read_only
from tests.report.test_images import decoded, external_refs, png_size
from tests.report.test_pack import ink, rasterised

LABELS = {"week", "team", "decile", "x_low", "x_high", "y_low", "y_high", "estimate", "suppressed"}
CAUSAL = ("cause", "caused", "drives", "leads to", "because of", "thanks to", "results in")


@pytest.fixture(scope="module")
def con(demo_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect_read_only(demo_warehouse)
    yield connection
    connection.close()


def manager_email(con: duckdb.DuckDBPyConnection) -> str:
    """A manager with no leader, analyst or admin role: their org only, as aggregates."""
    return con.execute(
        """select m.email from dim_people p join dim_people m on p.manager_id = m.person_id
           where lower(m.email) not in (select email from access_roles)
           group by m.email order by count(*) desc, m.email limit 1"""
    ).fetchone()[0]


@pytest.fixture(scope="module", params=["leader", "manager"])
def exported(request: pytest.FixtureRequest, con: duckdb.DuckDBPyConnection) -> tuple[Viewer, review.Inputs]:
    email = "demo-leader" if request.param == "leader" else manager_email(con)
    viewer = resolve(con, email)
    assert viewer.role == request.param
    return viewer, review.inputs(con, viewer, Filters())


def identifiers(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select person_key, person_id, email, name from dim_people").fetchall()
    return {str(value) for row in rows for value in row if value}


def test_no_table_cell_under_k_shows_a_number(
    con: duckdb.DuckDBPyConnection, exported: tuple[Viewer, review.Inputs]
) -> None:
    viewer, data = exported
    fewer = f"fewer than {viewer.k}"
    suppressed_rows = 0
    for name, frame in review.tables_for(con, viewer, Filters(), data).items():
        csv = pl.read_csv(
            StringIO(table_csv(review.for_export(frame, viewer.k)).decode()), infer_schema=False
        )
        for column in set(csv.columns) & set(review.HEAD_COUNTS):
            for value in csv[column].drop_nulls():
                assert value == fewer or int(value) >= viewer.k, (name, column, value)
        if "suppressed" in csv.columns:
            # every cell the view hid reads "fewer than k" (weekly rows hide only usage when AI
            # users are under k: the rest of such a week is over at least k people)
            hidden = pl.col("suppressed").fill_null(True)
            suppressed_rows += frame.filter(hidden).height
            for column in set(frame.columns) - LABELS:
                was_hidden = frame.select(hidden & pl.col(column).is_null()).to_series()
                assert set(csv[column].filter(was_hidden)) <= {fewer}, (name, column)
    if viewer.role == "manager":  # a small org: some groups must have been suppressed
        assert suppressed_rows > 0


def test_exports_hold_no_person_identifier(
    con: duckdb.DuckDBPyConnection, exported: tuple[Viewer, review.Inputs]
) -> None:
    viewer, data = exported
    people = identifiers(con)
    tables = review.tables_for(con, viewer, Filters(), data)
    assert "person_key" not in {c for frame in tables.values() for c in frame.columns}
    text = " ".join(table_csv(review.for_export(f, viewer.k)).decode() for f in tables.values())
    text += " ".join(
        json.dumps(c.figure.to_plotly_json(), default=str)
        for c in review.charts_for(con, viewer, Filters(), data)
    )
    assert [p for p in people if p in text] == []


def test_pack_has_the_summary_one_slide_per_chart_methods_and_coverage(
    con: duckdb.DuckDBPyConnection, exported: tuple[Viewer, review.Inputs]
) -> None:
    viewer, data = exported
    # a chart with nothing shown (every group withheld) is said in the summary, not given a page
    charts = [c for c in review.charts_for(con, viewer, Filters(), data) if c.figure.data]
    pack = review.pack_for(con, viewer, Filters(), data)
    lead = data.lead.sentences if data.lead else []
    assert pack.summary[0].startswith("For the same engineer") and pack.summary[1 : 1 + len(lead)] == lead
    assert len(pack.summary) == 1 + len(lead) + 6  # headline, what changed, then six topics
    assert [s.title for s in pack.slides[: len(charts)]] == [c.title for c in charts]
    assert all(s.figure is not None for s in pack.slides[: len(charts)])
    after = [s for s in pack.slides[len(charts) :] if s.title != "AI spend against people cost"]
    assert all(s.table is not None for s in after)
    assert pack.footer == (
        f"Aggregates only; groups under {viewer.k} people are suppressed. "
        f"Prepared for {viewer.email} ({viewer.role})."
    )
    methods = " ".join(f"{m.title} {m.text}" for m in pack.methods)
    assert all(ref.source in methods for ref in REFERENCES)
    coverage = dict(pack.coverage)
    assert coverage["People in view"] == f"{data.people:,}"
    assert str(viewer.k) in coverage["Smallest group shown (k)"] and viewer.role in coverage["Prepared for"]
    assert any(label.startswith("Input rows: ai_usage") for label in coverage)
    words = " ".join([*pack.summary, *(s.takeaway for s in pack.slides)]).lower()
    assert [w for w in CAUSAL if f" {w} " in words] == []


def test_summary_figures_come_from_the_shown_weeks(
    con: duckdb.DuckDBPyConnection, exported: tuple[Viewer, review.Inputs]
) -> None:
    viewer, data = exported
    figures = review.figures_for(data)
    shown = views.weekly(con, viewer, Filters()).filter(~pl.col("suppressed"))
    assert [w for w, _ in figures.adoption_weekly] == shown["week"].to_list()
    if shown.is_empty():  # every week withheld for this viewer: the summary says "not available"
        assert figures.spend_usd is None and figures.merged_prs_per_engineer_week is None
    else:
        assert figures.spend_usd == pytest.approx(float(shown["cost_usd"].sum()))
        assert figures.merged_prs_per_engineer_week == pytest.approx(
            shown["merged_prs"].sum() / shown["people_in_scope"].sum()
        )
    within = data.analytics.elasticities.within
    assert (figures.elasticity, figures.elasticity_ci) == (within.value, within.ci95)


def test_an_individual_gets_access_denied(con: duckdb.DuckDBPyConnection) -> None:
    email = con.execute(
        """select email from dim_people where person_id not in
           (select manager_id from dim_people where manager_id is not null)
           and lower(email) not in (select email from access_roles) order by email limit 1"""
    ).fetchone()[0]
    viewer = resolve(con, email)
    for export in (review.charts_for, review.tables_for, review.pack_for):
        with pytest.raises(AccessDenied, match="own data only"):
            export(con, viewer, Filters())


# ---- the commands ----


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "audit.duckdb"
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(path))
    return path


def invoke(*args: str) -> tuple[int, list[str], list[str]]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout.splitlines(), result.stderr.splitlines()


def test_report_command_writes_a_pdf_that_is_never_blank(
    export_server: images.ExportServer, demo_warehouse: Path, cli_env: Path, tmp_path: Path
) -> None:
    out = tmp_path / "review.pdf"
    code, lines, errors = invoke(
        "report", "--db", str(demo_warehouse), "--out", str(out), "--as", "demo-leader"
    )
    assert code == 0, errors
    assert lines == [str(out)]
    reader = PdfReader(out)
    texts = [page.extract_text() for page in reader.pages]
    assert "Executive summary" in texts[0] and "Data coverage" in " ".join(texts)
    assert all("Prepared for" in " ".join(t.split()) for t in texts)
    pages = rasterised(out, tmp_path)
    assert len(pages) == len(reader.pages)
    assert min(ink(page) for page in pages) > 0.002
    logged = audit.read(cli_env)
    assert logged["action"].to_list() == ["export: review pack"]


@pytest.mark.parametrize("suffix", [".pptx", ".html"])
def test_report_command_writes_pptx_and_html(
    export_server: images.ExportServer, demo_warehouse: Path, cli_env: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"review{suffix}"
    code, lines, errors = invoke(
        "report", "--db", str(demo_warehouse), "--out", str(out), "--as", "demo-leader"
    )
    assert code == 0, errors
    assert lines == [str(out)]
    if suffix == ".pptx":
        deck = Presentation(str(out))
        assert len(deck.slides) > 15
    else:
        html = out.read_text(encoding="utf-8")
        assert external_refs(html) == [] and "Methods and caveats" in html


def test_export_charts_writes_every_chart_and_table(
    export_server: images.ExportServer, demo_warehouse: Path, cli_env: Path, tmp_path: Path
) -> None:
    out = tmp_path / "charts"
    code, lines, errors = invoke(
        "export-charts", "--db", str(demo_warehouse), "--out", str(out), "--as", "demo-leader"
    )
    assert code == 0, errors
    index = pl.read_csv(out / "index.csv")
    files = index.filter(pl.col("kind") != INDEX_KIND)
    assert lines == [str(out / name) for name in files["file"]] + [str(out / "index.csv")]
    assert index.filter(pl.col("kind") == INDEX_KIND)["what"].to_list() == [audit.head(cli_env).line()]
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == len(list(out.glob("*.svg"))) == len(list(out.glob("*.html"))) >= 13
    for png in pngs:
        assert png_size(png.read_bytes())[0] > 1000 and decoded(png.read_bytes()).std() > 5
    for svg in out.glob("*.svg"):
        assert ElementTree.fromstring(svg.read_bytes()).tag.endswith("svg")
    assert (out / "teams.csv").is_file() and (out / "cost-by-decile.csv").is_file()
    assert audit.read(cli_env)["action"].to_list() == ["export: charts and tables"]


def test_export_charts_takes_only_known_formats(demo_warehouse: Path, cli_env: Path, tmp_path: Path) -> None:
    code, lines, errors = invoke(
        "export-charts",
        "--db",
        str(demo_warehouse),
        "--out",
        str(tmp_path),
        "--as",
        "demo-leader",
        "--formats",
        "gif",
    )
    assert code == 1 and lines == [] and len(errors) == 1 and errors[0].startswith("error: --formats")


@pytest.mark.parametrize("command", ["report", "export-charts"])
def test_an_unknown_viewer_gets_one_line_and_exit_1(
    demo_warehouse: Path, cli_env: Path, tmp_path: Path, command: str
) -> None:
    out = tmp_path / ("review.pdf" if command == "report" else "charts")
    code, lines, errors = invoke(
        command, "--db", str(demo_warehouse), "--out", str(out), "--as", "who@nowhere.io"
    )
    assert code == 1 and lines == []
    assert errors == [
        "error: who@nowhere.io is neither in the roster nor in the access file, so it sees nothing."
    ]
    assert not out.exists() and not cli_env.exists()
