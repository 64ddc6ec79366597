"""The pages in Streamlit's AppTest on the demo warehouse: each runs, each filter changes what it
shows, the filters follow the user across pages, and a missing warehouse gets a helpful message."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.timeouts import APPTEST_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")  # AppTest resolves a relative path against the calling file, not the cwd
PAGES = {
    "Overview": "dashboard/pages/overview.py",
    "Efficiency": "dashboard/pages/efficiency.py",
    "Teams": "dashboard/pages/teams.py",
    "Methods": "dashboard/pages/methods.py",
}


def signed_in(email: str = "demo-leader") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": email, "email_verified": True}
    return at


@pytest.fixture
def app(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app as the demo's first leader (the CTO): aggregates of the whole organization."""
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    monkeypatch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
    monkeypatch.delenv("TOKENYIELD_ADOPTION_TARGET", raising=False)
    return signed_in().run()


def _open(at: AppTest, page: str) -> AppTest:
    if page != "Overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == page
    return at


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _shown(at: AppTest) -> dict[str, object]:
    """What the page shows besides its captions: metrics, the data of every chart, every table."""
    return {
        "metrics": [(m.label, m.value, m.delta) for m in at.metric],
        "charts": [[{k: t.get(k) for k in ("x", "y", "z", "text")} for t in c["data"]] for c in _charts(at)],
        "tables": [df.value.to_dict("list") for df in at.dataframe],
    }


def _trace(at: AppTest, title: str, name: str) -> dict:
    for chart in _charts(at):
        if chart["layout"]["title"]["text"].startswith(title):
            return next(t for t in chart["data"] if t.get("name") == name)
    raise AssertionError(f"no chart {title!r}")


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(app: AppTest, page: str) -> None:
    at = _open(app, page)
    assert at.get("plotly_chart"), "every page draws charts"
    assert at.sidebar.select_slider(key="filter_period").value
    assert not at.error


def test_overview_key_figures_and_what_is_left_out(app: AppTest) -> None:
    labels = [m.label for m in app.metric]
    assert labels[0].startswith("Weekly active rate") and "target" in app.metric[0].delta
    assert labels[1:6] == [
        "Useful AI weeks",
        "AI spend, 12 weeks",
        "Merged PRs per engineer-week",
        "Cost per merged PR",
        "Spend shown",
    ]
    # the quality guardrails sit beside the throughput, each with its interval in the help
    assert labels[6:10] == [
        "Reverted ≤21 d",
        "Lines per PR",
        "Hours to merge",
        "Bug share",
    ]
    assert all(" to " in m.proto.help for m in app.metric[6:10])
    # agent-authored work below them: the demo's agents write a growing share of the merged PRs
    assert labels[10:] == [
        "Agent share of merged PRs",
        "Agent PRs merged without human review",
        "People delegating to agents",
    ]
    assert "95% interval" in app.metric[10].proto.help and app.metric[10].value.endswith("%")
    note = " ".join(m.value for m in app.markdown)
    # unmatched identities: their totals when there are at least k of them, else a sentence why not
    assert "Not in these figures" in note and "nmatched identities" in note and "bot PRs" in note
    assert set(_trace(app, "Weekly active rate", "target 80%")["y"]) == {0.8}


def test_the_adoption_target_comes_from_the_environment(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    monkeypatch.setenv("TOKENYIELD_ADOPTION_TARGET", "0.6")
    at = signed_in().run()
    assert set(_trace(at, "Weekly active rate", "target 60%")["y"]) == {0.6}
    assert "60% target" in at.metric[0].delta


def test_efficiency_shows_estimates_with_intervals_and_methods(app: AppTest) -> None:
    at = _open(app, "Efficiency")
    text = " ".join(m.value for m in [*at.markdown, *at.caption, *at.warning])
    assert "The top 10% of AI users use" in text and "95% interval" in text
    assert text.count("Method:") >= 2  # inside expanders, after the plain sentences
    assert "10% more tokens" in text and "for the same person" in text and "across people" in text
    assert "Why the two differ" in [e.label for e in at.expander]
    assert not any(word in text.lower() for word in (" causes ", " drives ", " leads to "))
    deciles = next(df for df in at.dataframe if "token_multiple" in df.value.columns)
    assert len(deciles.value) <= 10 and "person_id" not in deciles.value.columns


def test_no_person_is_shown_on_any_page(app: AppTest, demo_warehouse: Path) -> None:
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        (me,) = con.execute(
            "select email from access_roles where role = 'leader' order by rowid limit 1"
        ).fetchone()
        # the signed-in leader may see themself and their direct reports by name; nobody else
        people = con.execute(
            "select person_id, person_key, email, name from dim_people where email != ? and "
            "coalesce(manager_id, '') != (select person_id from dim_people where email = ?)",
            [me, me],
        ).fetchall()
    identifiers = {value for row in people for value in row if value}
    for page in PAGES:
        at = _open(app, page)
        shown = json.dumps(_shown(at), default=str) + " ".join(m.value for m in [*at.markdown, *at.caption])
        leaked = [i for i in identifiers if i in shown]
        assert not leaked, f"{page} shows {leaked[:3]}"


FILTERS = ["period", "teams", "tools"]


def _change(at: AppTest, which: str) -> str:
    """Change one filter; return the text the page's caption must then mention."""
    if which == "period":
        slider = at.sidebar.select_slider(key="filter_period")
        weeks = slider.options
        slider.set_value((slider.value[0] + timedelta(days=14), slider.value[1])).run()
        return f"Weeks of {weeks[2]}"  # options are the labels the user sees
    if which == "teams":
        teams = at.sidebar.multiselect(key="filter_teams")
        teams.set_value(teams.options[:2]).run()
        return ", ".join(teams.options[:2])
    tools = at.sidebar.multiselect(key="filter_tools")
    tools.set_value(["cursor"]).run()
    return "cursor"


@pytest.mark.parametrize("which", FILTERS)
@pytest.mark.parametrize("page", PAGES)
def test_each_filter_changes_each_page(app: AppTest, page: str, which: str) -> None:
    at = _open(app, page)
    before = _shown(at)
    expected = _change(at, which)
    assert not at.exception, [e.message for e in at.exception]
    assert expected in at.caption[0].value
    if page == "Teams" and which == "tools":  # tools are released organization-wide only: said so
        assert "tool filter does not apply" in " ".join(i.value for i in at.info)
        return
    assert _shown(at) != before


def test_teams_filter_picks_the_bars_in_name_order(app: AppTest) -> None:
    at = _open(app, "Teams")
    everyone = at.sidebar.multiselect(key="filter_teams").options
    at.sidebar.multiselect(key="filter_teams").set_value([everyone[3], everyone[1]]).run()
    bars = next(c for c in _charts(at) if c["layout"]["title"]["text"].startswith("Side by side"))
    shown = at.dataframe[0].value["team"].tolist()
    assert shown == sorted(shown) and set(shown) <= {everyone[1], everyone[3]}
    assert bars["data"][0]["y"] == shown


def test_period_filter_limits_the_weeks(app: AppTest) -> None:
    slider = app.sidebar.select_slider(key="filter_period")
    start, end = slider.value
    chosen = (start + timedelta(days=7), end)
    slider.set_value(chosen).run()
    weeks = _trace(app, "Weekly active rate", "active rate")["x"]
    assert weeks[0] == chosen[0].isoformat() and weeks[-1] == end.isoformat()
    assert app.metric[2].label == "AI spend, 11 weeks"


def test_filters_follow_the_user_across_pages(app: AppTest) -> None:
    app.sidebar.multiselect(key="filter_tools").set_value(["cursor"]).run()
    for page in ("Efficiency", "Teams", "Overview"):
        at = app.switch_page(PAGES[page]).run()
        assert at.sidebar.multiselect(key="filter_tools").value == ["cursor"], page
    app.sidebar.multiselect(key="filter_tools").set_value([]).run()
    team = app.sidebar.multiselect(key="filter_teams").options[0]
    app.sidebar.multiselect(key="filter_teams").set_value([team]).run()
    for page in ("Efficiency", "Teams", "Overview"):
        at = app.switch_page(PAGES[page]).run()
        assert at.sidebar.multiselect(key="filter_teams").value == [team], page


def test_a_tool_filter_is_offered_to_whole_organization_viewers_only(app: AppTest) -> None:
    assert not app.sidebar.multiselect(key="filter_tools").disabled


@pytest.mark.parametrize("content", [None, b"not a database"])
def test_missing_warehouse_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    path = tmp_path / "warehouse.duckdb"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("TOKENYIELD_DB", str(path))
    for page in PAGES:
        at = signed_in().run()
        if page != "Overview":
            at.switch_page(PAGES[page]).run()
        assert not at.exception, [e.message for e in at.exception]
        assert str(path) in at.error[0].value
        assert at.code[0].value == "make run"
        assert not at.get("plotly_chart")


def _smallest_team(warehouse: Path) -> str:
    """The smallest team (a unit of the release) a leader may choose."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(
            """select u.release_label from release_people p
               join (select distinct release_unit, release_label from release_units) u using (release_unit)
               group by all order by count(*), u.release_label limit 1"""
        ).fetchall()[0][0]


@pytest.mark.parametrize("view", ["activity-only tool", "smallest team"])
@pytest.mark.parametrize("page", PAGES)
def test_sparse_views_say_so(app: AppTest, demo_warehouse: Path, page: str, view: str) -> None:
    """Views with too little data for some figures: each must say so, not fail."""
    at = _open(app, page)
    if view == "activity-only tool":
        at.sidebar.multiselect(key="filter_tools").set_value(["copilot"]).run()
    else:
        at.sidebar.multiselect(key="filter_teams").set_value([_smallest_team(demo_warehouse)]).run()
    assert not at.exception, [e.message for e in at.exception]
    if page == "Efficiency" and view == "smallest team":  # deciles would be groups under k people
        assert "too few" in " ".join(m.value for m in [*at.markdown, *at.info, *at.warning]).lower()


def test_a_single_week_view(app: AppTest) -> None:
    slider = app.sidebar.select_slider(key="filter_period")
    last = slider.value[1]
    slider.set_value((last, last)).run()
    assert _trace(app, "Weekly active rate", "active rate")["x"] == [last.isoformat()]
    for page in PAGES:
        _open(app, page)


def test_a_bad_setting_is_named_not_a_traceback(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    monkeypatch.setenv("TOKENYIELD_ADOPTION_TARGET", "eighty")
    at = signed_in().run()
    assert not at.exception
    assert "TOKENYIELD_ADOPTION_TARGET" in at.error[0].value


def test_methods_puts_our_estimates_beside_the_published_references(app: AppTest) -> None:
    at = _open(app, "Methods")
    text = " ".join(m.value for m in [*at.markdown, *at.caption, *at.info])
    assert "Within-person elasticity: **" in text and "Pooled elasticity: **" in text
    assert "95% interval" in text and sum(e.label == "How this is estimated" for e in at.expander) >= 5
    assert "The curve that fits best is **" in text
    studies = [m.value.split("**")[1] for m in at.markdown if m.value.startswith("**") and "**: " in m.value]
    assert studies == ["Jellyfish 2026", "Microsoft 2026", "Cui et al. 2026", "METR 2025", "DORA 2024"]
    assert sum(m.value.startswith("Ours to compare: ") for m in at.markdown) == len(studies)
    assert not any(word in text.lower() for word in (" causes ", " drives ", " leads to "))


@pytest.mark.parametrize("page", ["Efficiency", "Teams"])
def test_guardrails_sit_beside_group_throughput(app: AppTest, page: str) -> None:
    at = _open(app, page)
    text = " ".join(m.value for m in at.markdown)
    assert "Quality guardrails per" in text
    table = next(df.value for df in at.dataframe if "revert_rate" in df.value.columns)
    assert {"lines_per_pr", "hours_to_merge", "bug_share"} <= set(table.columns)
    # a group under k people shows "fewer than 5" and no figure
    hidden = table[table["people"] == "fewer than 5"]
    assert hidden["revert_rate"].isna().all()
