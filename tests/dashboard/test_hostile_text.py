"""Data-derived text is shown as text, never rendered: a team, tool, PR title or email holding
Markdown links and images, HTML tags or plotly templates reaches the pages (through AppTest), the
charts and the HTML exports escaped, and nothing links to or loads from evil.example."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.text import html, markdown
from pipelines.build import build
from pipelines.cli import app as cli
from pipelines.csv_cells import FORMULA_START
from pipelines.settings import Settings

APP = str(Path(__file__).resolve().parents[2] / "app.py")
LINK_AND_IMAGE = "[click me](https://evil.example/phish) ![t](https://evil.example/track.png)"
HOSTILE_TEAM = LINK_AND_IMAGE + ' <a href="https://evil.example/a">a</a> %{x} www.evil.example'
HOSTILE_TOOL = '<img src="https://evil.example/t.png">:red[tool] ' + LINK_AND_IMAGE
HOSTILE_PR = '=HYPERLINK("https://evil.example/x") <b>bold</b> ' + LINK_AND_IMAGE
HOSTILE_EMAIL = "[me](https://evil.example/me)@x.io"
FORMULA_TEAM = '=HYPERLINK("https://evil.example/f","team")'  # a spreadsheet would run it
MARKDOWN_KINDS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
)
# what a browser would follow or fetch: Markdown links and images, autolinks, HTML links and images
LIVE = re.compile(r"(?<!\\)\]\(|https?://evil|(href|src)\s*=\s*[\"']?https?://evil", re.IGNORECASE)
HTML_LIVE = re.compile(r"(href|src)\s*=\s*[\"']?https?://evil", re.IGNORECASE)  # in HTML, only tags act
# plotly writes a figure's JSON into HTML with "/", "<", ">" and "&" as JavaScript escapes
JS_ESCAPES = {"\\u002f": "/", "\\u003c": "<", "\\u003e": ">", "\\u0026": "&"}


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (
            "a [b](https://evil.example/x) ![i](y.png) :red[z] www.evil.example",
            "a \\[b\\](https:\u2060//evil.example/x) !\\[i\\](y.png) :red\\[z\\] www\u2060.evil.example",
        ),
        (
            "<img src=x> `code` *em* _em_ ~~s~~ $x$ a|b &amp;",
            "\\<img src=x\\> \\`code\\` \\*em\\* \\_em\\_ \\~\\~s\\~\\~ \\$x\\$ a\\|b \\&amp;",
        ),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("two\nlines", "two lines"),
        # what needs no escaping stays readable: paths, snake_case, emails, sentences
        ("/tmp/test_missing_wh0/w.duckdb", "/tmp/test_missing_wh0/w.duckdb"),
        ("ada.lovelace@x.io (manager), intact: 6 entries", "ada.lovelace@x.io (manager), intact: 6 entries"),
    ],
)
def test_markdown_escapes_what_would_render(text, escaped):
    assert markdown(text) == escaped


def test_html_escapes_tags_quotes_and_plotly_templates():
    assert html("<a href=\"https://evil.example\">%{x}</a> & 'q'") == (
        "&lt;a href=&quot;https://evil.example&quot;&gt;&#37;{x}&lt;/a&gt; &amp; &#x27;q&#x27;"
    )


@pytest.fixture(scope="module")
def hostile(demo_input: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo organization with its largest team, one tool and every PR title made hostile."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "input"
    shutil.copytree(demo_input, folder)
    people = pl.read_csv(folder / "people.csv", infer_schema=False)
    largest, second = people["team"].value_counts(sort=True)["team"][:2]
    renamed = pl.col("team").replace({largest: HOSTILE_TEAM, second: FORMULA_TEAM})
    people.with_columns(team=renamed).write_csv(folder / "people.csv")
    prs = folder / "pull_requests.parquet"
    pl.read_parquet(prs).with_columns(title=pl.lit(HOSTILE_PR)).write_parquet(prs)
    for part in (folder / "ai_usage").glob("*/*.parquet"):
        usage = pl.read_parquet(part)
        usage.with_columns(tool=pl.col("tool").replace("cursor", HOSTILE_TOOL)).write_parquet(part)
    warehouse = root / "warehouse.duckdb"
    build(Settings(input_dir=folder, warehouse_path=warehouse))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOKENYIELD_DB", str(warehouse))
        patch.setenv("TOKENYIELD_AUDIT_DB", str(root / "audit.duckdb"))
        patch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
        yield warehouse


def _rendered(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer, help texts included."""
    texts = [str(e.value) for kind in MARKDOWN_KINDS for e in at.get(kind)]
    texts += [f"{m.label} {m.proto.help}" for m in at.metric]
    texts += [str(e.label) for e in at.get("expander")]
    return texts


def _chart_specs(at: AppTest) -> list[str]:
    """Each chart's figure as JSON with "<" and "&" written plainly (Streamlit writes \\u003c)."""
    return [json.dumps(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def _assert_inert(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    for text in _rendered(at):
        assert not LIVE.search(text), text
    for spec in _chart_specs(at):
        assert "<a " not in spec and "<img" not in spec and "<b>bold" not in spec
        assert "%{x} www" not in spec  # a team name never becomes a hover template


def test_pages_show_hostile_team_and_tool_names_as_text(hostile: Path):
    at = AppTest.from_file(APP, default_timeout=120)
    at.user = {"is_logged_in": True, "email": "demo-leader", "email_verified": True}
    at.run()
    _assert_inert(at)
    assert markdown(HOSTILE_TOOL) in " ".join(_rendered(at))  # the sidebar's note on tools
    at.multiselect(key="filter_teams").select(HOSTILE_TEAM).run()
    _assert_inert(at)
    assert any(markdown(HOSTILE_TEAM) in text for text in _rendered(at))  # the page caption
    for page in ("teams", "efficiency", "methods", "data"):
        at.switch_page(f"dashboard/pages/{page}.py").run()
        _assert_inert(at)
    at.switch_page("dashboard/pages/teams.py").run()
    specs = " ".join(_chart_specs(at))
    assert json.dumps(html(HOSTILE_TEAM))[1:-1] in specs  # the team is there, as text
    assert "&lt;a href=&quot;https://evil.example/a&quot;&gt;" in specs


def test_a_hostile_email_is_shown_as_text(hostile: Path):
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": True, "email": HOSTILE_EMAIL, "email_verified": True}
    at.run()
    _assert_inert(at)
    assert markdown(HOSTILE_EMAIL.lower()) in " ".join(e.value for e in at.error)


def test_html_exports_carry_no_live_link_or_image(hostile: Path, tmp_path: Path):
    out = tmp_path / "charts"
    pack = tmp_path / "review.html"
    runner = CliRunner()
    for args in (
        [
            "export-charts",
            "--db",
            str(hostile),
            "--out",
            str(out),
            "--as",
            "demo-leader",
            "--formats",
            "html",
        ],
        ["report", "--db", str(hostile), "--out", str(pack), "--as", "demo-leader"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.stderr
    pages = [pack, *out.glob("*.html")]
    assert len(pages) > 10
    texts = [_unescape_js(page.read_text(encoding="utf-8")) for page in pages]
    for page, text in zip(pages, texts, strict=True):
        assert not HTML_LIVE.search(text), (page, HTML_LIVE.search(text))
        assert "<b>bold" not in text, page
    assert any(html(HOSTILE_TEAM) in text for text in texts)  # the team is there, as text
    tables = list(out.glob("*.csv"))
    assert len(tables) > 3 and out / "index.csv" in tables
    cells = [cell for table in tables for row in csv.reader(table.open(encoding="utf-8")) for cell in row]
    assert "'" + FORMULA_TEAM in cells  # teams.csv: the team, neutralised
    runnable = [
        c for c in cells if c[:1] and c[0] in FORMULA_START and not re.fullmatch(r"-?[\d.]+(e-?\d+)?", c)
    ]
    assert not runnable, runnable[:3]


def _unescape_js(text: str) -> str:
    for escaped, plain in JS_ESCAPES.items():
        text = text.replace(escaped, plain)
    return text
