"""The Teams views at 30, 500, 3,000 and 10,000 people: the page (AppTest), its drill-down, the
chart exports and the review pack (the CLI), and the privacy of an org's figures.

An org's figures must be the sums of the released cells of the units in its subtree: computed here
again, independently, from release_unit_weeks and a recursive walk of release_units in SQL.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard import charts
from dashboard.charts.teams import ROW_PX
from pipelines.cli import app
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import resolve
from pipelines.report.review import TEAM_ROWS
from tests.timeouts import APPTEST_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
MAX_HEIGHT = 170 + ROW_PX * charts.PAGE_ROWS  # px: a chart of one page of rows, whatever the size

SUBTREE_SUMS = """
    with recursive below(unit_key) as (
        select ? union select u.unit_key from release_units u join below b on u.parent_unit_key = b.unit_key
    ),
    released_units as (select unit_key from release_units where unit_key = release_unit and unit_key in (select * from below))
    select sum(people) filter (where released_people) as person_weeks,
           sum(merged_prs) filter (where released_people) as merged_prs,
           sum(tokens) filter (where released_usage) as tokens,
           sum(cost_micro_usd) filter (where released_usage) / 1e6 as cost_usd,
           count(distinct unit_key) as teams
    from release_unit_weeks where unit_key in (select * from released_units)
"""


@pytest.fixture
def teams_page(scale_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("TOKENYIELD_DB", str(scale_db))
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(tmp_path / "audit.duckdb"))
    monkeypatch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
    monkeypatch.delenv("TOKENYIELD_ADOPTION_TARGET", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": "demo-leader", "email_verified": True}
    at.run()
    at.switch_page("dashboard/pages/teams.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _figures(at: AppTest) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"].split(" (")[0]: spec for spec in specs}


def _shown_rows(level: views.TeamLevel) -> list[str]:
    return level.table.filter(~level.table["suppressed"])["team"].to_list()


def _check_level(at: AppTest, level: views.TeamLevel) -> None:
    """The page shows this level: the table's rows, the heatmap's and bars' categories (first page)."""
    shown = _shown_rows(level)
    assert at.dataframe[0].value["team"].tolist() == shown
    figures = _figures(at)
    heatmap, bars = figures["Weekly active rate by team"], figures["Side by side"]
    page = shown[: charts.PAGE_ROWS]
    for trace in heatmap["data"]:
        assert trace["y"] == page  # every category is a labelled row, in name order
    assert all(trace["y"] == page for trace in bars["data"])
    for spec in (heatmap, bars):
        assert spec["layout"]["height"] <= MAX_HEIGHT
        assert spec["layout"]["yaxis"]["dtick"] == 1
    hidden = level.table.height - len(shown)
    if hidden:
        assert any(f"{hidden} team" in c.value and "not shown" in c.value for c in at.caption)
    if len(shown) > charts.PAGE_ROWS:
        assert at.selectbox(key="teams_page_" + "_".join(k for k, _ in level.level.crumbs))


def test_the_teams_page_breaks_down_by_the_org_tree_and_drills_down(teams_page: AppTest, scale_con) -> None:
    at = teams_page
    leader = resolve(scale_con, "demo-leader")
    top = views.team_level(scale_con, leader, Filters())
    if not _shown_rows(top):  # no team-week released on its own (30 people): the page says so in one line
        assert any("not shown" in c.value for c in at.caption), [c.value for c in at.caption]
        return
    _check_level(at, top)
    assert at.markdown[0].value == "**Org:** All"
    openable = top.level.openable()
    if not openable:  # a small organization: its teams only
        assert not [s for s in at.selectbox if s.key == "teams_org_"]
        return
    key, label = openable[0]
    at.selectbox(key="teams_org_").set_value(key).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.markdown[0].value == f"**Org:** All › {label}"
    opened = views.team_level(scale_con, leader, Filters(), (key,))
    assert set(opened.level.members["release_unit"]) < set(top.level.members["release_unit"])
    _check_level(at, opened)


def test_an_orgs_figures_are_the_sums_of_its_released_units_cells(
    scale_con: duckdb.DuckDBPyConnection,
) -> None:
    leader = resolve(scale_con, "demo-leader")
    top = views.team_level(scale_con, leader, Filters())
    levels = [
        top,
        *(views.team_level(scale_con, leader, Filters(), (key,)) for key, _ in top.level.openable()[:2]),
    ]
    checked = 0
    for level in levels:
        for key, label in level.level.openable():
            row = level.table.filter(level.table["team"] == label).row(0, named=True)
            person_weeks, merged, tokens, cost, teams = scale_con.execute(SUBTREE_SUMS, [key]).fetchone()
            assert row["teams"] == teams
            assert row["person_weeks"] == person_weeks and row["merged_prs"] == merged
            assert row["tokens"] == tokens
            assert row["cost_usd"] == pytest.approx(cost, abs=1e-6)
            checked += 1
    assert checked or not top.level.openable()


MANAGERS = """select lower(m.email) from dim_people m join dim_people r on r.manager_id = m.person_id
               where lower(m.email) not in (select email from access_roles)
               group by m.email order by count(*) desc, m.email"""


@pytest.mark.parametrize("who", ["leader", "a manager of a large org", "a manager of a small org"])
def test_every_unit_in_a_viewers_scope_is_counted_once(
    scale_con: duckdb.DuckDBPyConnection, who: str
) -> None:
    managers = [row[0] for row in scale_con.execute(MANAGERS).fetchall()]
    email = {"leader": "demo-leader", "a manager of a large org": managers[0]}.get(who, managers[-1])
    viewer = resolve(scale_con, email)
    try:
        scope = set(views.scope_units(scale_con, viewer)["release_unit"])
        top = views.team_level(scale_con, viewer, Filters())
    except views.Withheld:  # an org too small for any aggregate: My team shows it instead
        assert who != "leader"
        return
    units = top.level.members["release_unit"].to_list()
    assert len(units) == len(set(units)) and set(units) == scope  # nothing outside the scope
    if top.table.height == 1:  # one team: its bars are still bars
        bars = charts.team_figures(top.table, 0.8)
        assert all(trace.type == "bar" and len(trace.y) == 1 for trace in bars.data)


def test_export_charts_and_the_pack_at_every_size(
    scale_db: Path, scale_con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(tmp_path / "audit.duckdb"))
    out = tmp_path / "charts"
    result = CliRunner().invoke(
        app,
        [
            "export-charts",
            "--db",
            str(scale_db),
            "--as",
            "demo-leader",
            "--out",
            str(out),
            "--formats",
            "html",
        ],
    )
    assert result.exit_code == 0, result.output  # at 30 people: the released sums, no estimate
    with (out / "teams.csv").open() as f:
        teams = list(csv.DictReader(f))
    assert 1 <= len(teams) <= TEAM_ROWS
    heatmap = (out / "team-active-rates.html").read_text()
    assert all(json.dumps(row["team"]) in heatmap for row in teams if row["suppressed"] == "false")
    pack = tmp_path / "pack.html"
    result = CliRunner().invoke(
        app, ["report", "--db", str(scale_db), "--as", "demo-leader", "--out", str(pack)]
    )
    assert result.exit_code == 0, result.output
    assert "Weekly active rate by team" in pack.read_text()


def test_more_than_a_page_of_teams_is_shown_a_page_at_a_time(teams_page: AppTest) -> None:
    at = teams_page
    if not at.dataframe:  # nothing released at 30 people: the page says so (test above)
        return
    chosen = at.sidebar.multiselect(key="filter_teams").options[: charts.PAGE_ROWS + 20]
    if len(chosen) <= charts.PAGE_ROWS:  # every team fits one page: no pager is offered
        at.sidebar.multiselect(key="filter_teams").set_value(chosen).run()
        assert not at.exception, [e.message for e in at.exception]
        assert not [s for s in at.selectbox if (s.key or "").startswith("teams_page_")]
        return
    at.sidebar.multiselect(key="filter_teams").set_value(chosen).run()
    assert not at.exception, [e.message for e in at.exception]
    shown = at.dataframe[0].value["team"].tolist()
    assert len(shown) > charts.PAGE_ROWS  # the table has every row (it scrolls)
    first = _figures(at)["Weekly active rate by team"]
    assert first["data"][0]["y"] == shown[: charts.PAGE_ROWS]
    assert first["layout"]["height"] <= MAX_HEIGHT
    at.selectbox(key="teams_page_").select_index(1).run()
    rest = _figures(at)["Weekly active rate by team"]
    assert rest["data"][0]["y"] == shown[charts.PAGE_ROWS :]
    assert _figures(at)["Side by side"]["data"][0]["y"] == shown[charts.PAGE_ROWS :]
