"""Every page opens with the answer: the headline and what changed against the previous period, with
figures that match the release; tables read as plain words; one headline on every surface."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.text import markdown
from pipelines.metrics.filters import Filters
from pipelines.privacy import viewer as viewers
from pipelines.privacy import views
from pipelines.report import review
from pipelines.report.summary import sentences
from tests.timeouts import APPTEST_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = {
    "Overview": "dashboard/pages/overview.py",
    "Efficiency": "dashboard/pages/efficiency.py",
    "Methods": "dashboard/pages/methods.py",
    "My team": "dashboard/pages/my_team.py",
    "My data": "dashboard/pages/my_data.py",
}
AGGREGATE_PAGES = ("Overview", "Efficiency", "Methods")


@pytest.fixture(scope="module")
def con(demo_warehouse: Path):
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def page(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch, name: str, email: str = "demo-leader"
) -> AppTest:
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    monkeypatch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
    monkeypatch.delenv("TOKENYIELD_ADOPTION_TARGET", raising=False)
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": email, "email_verified": True}
    at.run()
    if name != "Overview":
        at.switch_page(PAGES[name]).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == name
    return at


def lead_text(at: AppTest) -> list[str]:
    """The markdown of the leading box, in order (its sentences are one bullet each)."""
    return [m.value for m in at.markdown if "- " in m.value or m.value.startswith("**")][:3]


def halves(con: duckdb.DuckDBPyConnection) -> tuple[tuple[date, date], tuple[date, date]]:
    """The later and earlier halves of the warehouse's released weeks, computed here."""
    weeks = [
        r[0] for r in con.execute("select distinct week from release_unit_weeks order by week").fetchall()
    ]
    n = len(weeks) // 2
    later, earlier = weeks[-n:], weeks[-2 * n : -n]
    return (later[0], later[-1]), (earlier[0], earlier[-1])


def released_org(con: duckdb.DuckDBPyConnection, span: tuple[date, date]) -> tuple[float, float]:
    """Cost per merged PR and the useful-AI-week share of the organization over `span`, as ratios
    of sums of the release's organization cells (computed here, not by pipelines/metrics)."""
    cost, merged, useful, usage_people = con.execute(
        """select sum(cost_micro_usd) filter (where released_usage) / 1e6,
                  sum(merged_prs) filter (where released_usage),
                  sum(useful_ai_people) filter (where released_usage),
                  sum(people) filter (where released_usage)
           from release_org_weeks where week between ? and ?""",
        list(span),
    ).fetchone()
    return cost / merged, useful / usage_people


@pytest.mark.parametrize("name", AGGREGATE_PAGES)
def test_each_page_of_aggregates_opens_with_what_changed(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch, con: duckdb.DuckDBPyConnection, name: str
) -> None:
    at = page(demo_warehouse, monkeypatch, name)
    now, before = halves(con)
    cost_now, useful_now = released_org(con, now)
    cost_before, useful_before = released_org(con, before)
    box = "\n".join(lead_text(at))
    assert box.startswith("**For the same engineer, weeks with 10% more tokens")
    assert "weeks before: Cost per merged PR" in box
    # the page's figures are the release's, both periods (escaped: "$" reads "\$" in Markdown)
    assert f"\\${cost_before:,.2f} to \\${cost_now:,.2f}" in box or (
        f"\\${cost_before:,.2f} then \\${cost_now:,.2f}" in box
    )
    assert f"{useful_before * 100:.0f}%" in box and f"{useful_now * 100:.0f}%" in box
    assert "Useful AI weeks" in box or "useful AI weeks" in box


def _headers(frame_element) -> list[str]:
    config = json.loads(frame_element.proto.columns or "{}")
    names = [str(c) for c in frame_element.value.columns]
    return [(config.get(f"name:{n}") or config.get(n) or {}).get("label") or n for n in names]


@pytest.mark.parametrize("name", PAGES)
def test_tables_read_as_plain_words(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    at = page(demo_warehouse, monkeypatch, name)
    if name == "My team":  # a person is chosen: their weeks appear too
        at.selectbox[0].select_index(0).run()
    for table in at.dataframe:
        headers = _headers(table)
        assert all("_" not in h and h != "None" for h in headers), headers
        assert not (table.value.astype(str) == "None").any().any()
    for table in at.table:
        assert not (table.value.astype(str) == "None").any().any()
    for text in [m.value for m in at.markdown] + [c.value for c in at.caption]:
        assert "None" not in text.split(), text


@pytest.mark.parametrize("name", ("My team", "My data"))
def test_a_managers_pages_open_with_a_comparison(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    at = page(demo_warehouse, monkeypatch, name)
    box = "\n".join(m.value for m in at.markdown)
    assert "against the" in box


def test_one_headline_on_the_dashboard_in_summary_and_in_the_pack(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch, con: duckdb.DuckDBPyConnection
) -> None:
    """The same viewer and filters get the same headline sentence everywhere."""
    who = viewers.resolve(con, "demo-leader")
    filters = Filters()
    said = views.summary(con, who, filters)["headline"]
    pack = sentences(review.figures_for(review.inputs(con, who, filters)))
    assert isinstance(said, str) and said.startswith("For the same engineer")
    assert pack[0] == said
    for name in AGGREGATE_PAGES:
        at = page(demo_warehouse, monkeypatch, name)
        assert lead_text(at)[0] == f"**{markdown(said)}**"
    # and the pack's next sentences are the dashboard's comparison
    at = page(demo_warehouse, monkeypatch, "Overview")
    assert pack[1] and markdown(pack[1]) in "\n".join(lead_text(at))
