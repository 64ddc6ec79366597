"""An adversary in the test suite: differencing attacks through the public functions and the CLI.

The attacker is a leader (every unit) or a manager (their org), with everything their role allows:
weekly figures and the units table for any period, unit selection and tool selection, and the weeks
of the people they see one by one. They subtract adjacent periods, unit sets that differ by one
unit, tool sets that differ by one tool, and a manager's org against their direct reports. The
secrets are the tokens and spend of every group of 1 to k-1 people the viewer does not know: every
person-week, every team-week (teams as in the roster) and every unit-week whose cell is withheld,
computed here from the marts. No difference may equal a secret. The orgs: the demo, and a small
org of 40 people (the release tests' fixture).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from itertools import combinations, pairwise
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import Viewer, resolve

from .test_release import small_org  # noqa: F401  (the small org fixture)


@pytest.fixture(scope="module", params=["demo", "small"])
def org(request: pytest.FixtureRequest, demo_warehouse: Path) -> Path:
    return demo_warehouse if request.param == "demo" else request.getfixturevalue("small_org")


@pytest.fixture(scope="module")
def con(org: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(org), read_only=True)
    yield connection
    connection.close()


def _secrets(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> set[int]:
    """Tokens of every small group the viewer does not know: each person-week of someone they do
    not see one by one, and, over the people they do not know, each roster-team-week and each
    withheld unit-week with 1 to k-1 AI users (a group they know wholly, or all but none, is no
    secret to them)."""
    k, known = viewer.k, list(viewer.visible_people())
    weeks = con.sql(
        """select pw.person_key, pw.team, pw.week, pw.ai_rows > 0 as ai, pw.total_tokens as tokens,
                  rp.release_unit, coalesce(c.released_usage, true) as released
           from fct_person_weeks pw join release_people rp using (person_key)
           left join release_unit_weeks c on c.unit_key = rp.release_unit and c.week = pw.week"""
    ).pl()
    unknown = weeks.filter(~pl.col("person_key").is_in(known))
    found = set(unknown.filter(pl.col("tokens") > 0)["tokens"].to_list())
    for keys, rows in (("team", unknown), ("release_unit", unknown.filter(~pl.col("released")))):
        groups = rows.group_by(keys, "week").agg(pl.col("tokens").sum(), users=pl.col("ai").sum())
        found |= set(groups.filter((pl.col("users") < k) & (pl.col("tokens") > 0))["tokens"].to_list())
    return found


def _differences(a: pl.DataFrame, b: pl.DataFrame, key: str) -> set[int]:
    joined = a.select(key, "tokens").join(b.select(key, "tokens"), on=key, how="full", coalesce=True)
    diff = joined.select((pl.col("tokens").fill_null(0) - pl.col("tokens_right").fill_null(0)).abs())
    return {int(v) for v in diff.to_series().to_list() if v}


def _attack(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> tuple[set[int], int]:
    """Every difference the viewer can make of two views, and how many pairs were tried."""
    found: set[int] = set()
    pairs = 0
    weeks = views.period_weeks(con, Filters())
    units = views.teams(con, viewer)
    # adjacent periods: the units table of [w0, end] minus [w1, end], and the weekly series
    for first, second in pairwise(weeks):
        a = views.teams_table(con, viewer, Filters(start=first))
        b = views.teams_table(con, viewer, Filters(start=second))
        found |= _differences(a, b, "team")
        pairs += 1
    # unit sets that differ by one unit, week by week
    whole = views.weekly(con, viewer, Filters())
    for unit in units:
        rest = tuple(u for u in units if u != unit)
        if rest:
            found |= _differences(whole, views.weekly(con, viewer, Filters(teams=rest)), "week")
            pairs += 1
    for a, b in combinations(units[:6], 2):
        both = views.weekly(con, viewer, Filters(teams=(a, b)))
        found |= _differences(both, views.weekly(con, viewer, Filters(teams=(a,))), "week")
        pairs += 1
    # tool sets that differ by one tool (organization-wide viewers only)
    if viewer.sees_whole_org:
        tools = [
            r[0] for r in con.execute("select distinct tool from fct_person_week_tools order by 1").fetchall()
        ]
        for a, b in combinations(tools, 2):
            both = views.weekly(con, viewer, Filters(tools=(a, b)))
            found |= _differences(both, views.weekly(con, viewer, Filters(tools=(a,))), "week")
            pairs += 1
    # a manager's org against their direct reports, seen one by one
    if viewer.reports and not viewer.sees_whole_org:
        org = views.weekly(con, viewer, Filters())
        reports = pl.concat(
            [views.person_weekly(con, viewer, key).select("week", "tokens") for key in viewer.reports]
        )
        summed = reports.group_by("week").agg(pl.col("tokens").sum())
        found |= _differences(org, summed, "week")
        pairs += 1
    return found, pairs


def _leader(con: duckdb.DuckDBPyConnection) -> Viewer:
    return resolve(con, "demo-leader")


def _managers(con: duckdb.DuckDBPyConnection) -> list[Viewer]:
    rows = con.execute(
        """select lower(m.email) from dim_people m join dim_people r on r.manager_id = m.person_id
           where lower(m.email) not in (select email from access_roles)
           group by m.email order by count(*) desc, m.email limit 3"""
    ).fetchall()
    return [resolve(con, r[0]) for r in rows]


def test_a_leader_recovers_no_small_group_by_subtracting_views(con: duckdb.DuckDBPyConnection) -> None:
    leader = _leader(con)
    found, pairs = _attack(con, leader)
    secrets = _secrets(con, leader)
    assert pairs > 10 and secrets
    assert sorted(found & secrets) == []


def test_a_manager_recovers_no_small_group_by_subtracting_views(con: duckdb.DuckDBPyConnection) -> None:
    tried = 0
    for manager in _managers(con):
        try:
            found, pairs = _attack(con, manager)
        except views.Withheld:
            continue  # an org too small for aggregates shows none: nothing to subtract
        tried += pairs
        assert sorted(found & _secrets(con, manager)) == [], manager.email
    assert tried > 0


def test_the_old_attack_through_the_cli_recovers_nothing(org: Path, con: duckdb.DuckDBPyConnection) -> None:
    """`summary --as LEADER` for two periods a week apart: the difference of the totals is the
    first week's released cells, never a small group."""
    leader = _leader(con)
    weeks = views.period_weeks(con, Filters())
    runner = CliRunner()

    def totals(start: str) -> dict[str, object]:
        result = runner.invoke(
            app, ["summary", "--db", str(org), "--as", "demo-leader", "--json", "--from", start]
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    a, b = totals(weeks[0].isoformat()), totals(weeks[1].isoformat())
    difference = int(a["tokens_total"]) - int(b["tokens_total"])
    first = views.weekly(con, leader, Filters(start=weeks[0], end=weeks[0]))
    assert difference == int(first["tokens"].fill_null(0).sum())
    assert difference not in _secrets(con, leader)


def test_the_same_view_gives_the_same_figures_everywhere(org: Path, con: duckdb.DuckDBPyConnection) -> None:
    """The dashboard's key figures (views.weekly summed), `summary --as --json` and the pack's
    inputs agree for one viewer and filters."""
    from pipelines.metrics import released
    from pipelines.report import review

    leader = _leader(con)
    weeks = views.period_weeks(con, Filters())
    units = views.teams(con, leader)
    filters = Filters(start=weeks[1], end=weeks[-2] + timedelta(days=0), teams=tuple(units[:2]))
    key = released.key_figures(views.weekly(con, leader, filters))
    args = ["summary", "--db", str(org), "--as", "demo-leader", "--json"]
    args += ["--from", filters.start.isoformat(), "--to", filters.end.isoformat()]
    for unit in filters.teams:
        args += ["--team", unit]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["tokens_total"] == key.tokens
    assert printed["merged_prs_total"] == key.merged_prs
    assert printed["cost_usd_total"] == round(key.cost_usd, 2)
    try:
        views.check_selection(con, leader, filters)
    except views.Withheld as error:  # no estimate for this view: the pack shows its sums and says why
        assert printed["headline"] == str(error) and printed["elasticity"] is None
        assert review.inputs(con, leader, replace(filters)).withheld == str(error)
    pack = review.inputs(con, leader, replace(filters))
    assert int(pack.weekly["tokens"].fill_null(0).sum()) == key.tokens
    assert pack.people == (key.people_latest or 0)


def test_a_teams_flagged_spend_is_shown_only_for_k_flagged_people(con: duckdb.DuckDBPyConnection) -> None:
    """tokenmaxxing by team: a team with 1 to k-1 flagged people shows no flagged spend (it would be
    those people's spend), and the teams withheld together hold k flagged people or all of them."""
    leader = _leader(con)
    review = views.analytics(con, leader, Filters())
    from pipelines.metrics import analytics

    raw = analytics.tokenmaxxing(analytics.panel(con, views.scoped(leader, Filters())))
    flagged = raw.people.filter(pl.col("flagged_cost_usd") > 0).group_by("team").agg(n=pl.len())
    shown = review.tokenmaxxing.by_team.join(flagged, on="team", how="left").with_columns(
        pl.col("n").fill_null(0)
    )
    visible = shown.filter(pl.col("flagged_cost_usd").is_not_null() & (pl.col("n") > 0))
    assert (visible["n"] >= leader.k).all()
    hidden = shown.filter(pl.col("flagged_cost_usd").is_null() & (pl.col("n") > 0))
    assert hidden.is_empty() or int(hidden["n"].sum()) >= leader.k or visible.is_empty()


def test_the_dashboards_period_slider_recovers_no_small_group(
    demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack of the issue through the dashboard (AppTest): the Teams table for the whole period
    and for the period one week shorter; no team's difference in tokens is a small group's."""
    from tests.dashboard.test_pages import PAGES, signed_in

    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    at = signed_in().run()
    at.switch_page(PAGES["Teams"]).run()

    def tokens(app) -> pl.DataFrame:
        assert not app.exception, [e.message for e in app.exception]
        table = next(
            df.value for df in app.dataframe if "team" in df.value.columns and "tokens" in df.value.columns
        )
        return pl.from_pandas(table[["team", "tokens"]]).with_columns(
            pl.col("tokens").cast(pl.Float64).fill_nan(None)
        )

    whole = tokens(at)
    slider = at.sidebar.select_slider(key="filter_period")
    slider.set_value((slider.value[0] + timedelta(days=7), slider.value[1])).run()
    shorter = tokens(at)
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        secrets = _secrets(con, _leader(con))
    found = _differences(whole.drop_nulls(), shorter.drop_nulls(), "team")
    assert whole.height > 1 and sorted(found & secrets) == []


def test_the_csv_export_agrees_with_the_summary(org: Path, con: duckdb.DuckDBPyConnection) -> None:
    """The weekly CSV the exports write sums to the tokens `summary --as --json` prints."""
    from pipelines.report import review

    leader = _leader(con)
    data = review.inputs(con, leader, Filters())
    weekly = review.tables_for(con, leader, Filters(), data)["weekly"]
    result = CliRunner().invoke(app, ["summary", "--db", str(org), "--as", "demo-leader", "--json"])
    assert result.exit_code == 0, result.output
    assert int(weekly["tokens"].fill_null(0).sum()) == json.loads(result.output)["tokens_total"]


def test_estimates_read_only_released_weeks(con: duckdb.DuckDBPyConnection) -> None:
    """The red team's union attack (a withheld unit plus a large one, minus the large one, through
    agent or tokenmaxxing shares times released totals) needs estimates over withheld weeks: every
    person-week an estimate reads is in a unit-week the release shows with its usage."""
    from pipelines.metrics import analytics

    leader = _leader(con)
    panel = analytics.panel(con, views.scoped(leader, Filters()))
    cells = con.sql(
        "select p.person_key, c.week, c.released_usage from release_people p "
        "join release_unit_weeks c on c.unit_key = p.release_unit"
    ).pl()
    read = panel.select("person_key", "week").join(cells, on=["person_key", "week"], how="left")
    assert read.height > 0 and read["released_usage"].fill_null(False).all()


def test_the_data_pages_tool_tokens_are_released_sums(con: duckdb.DuckDBPyConnection) -> None:
    """The red team's third attack: a tool's tokens on the Data page minus the released total gave
    one unmatched account's tokens. For non-admins they are now the sum of released tool-weeks."""
    leader = _leader(con)
    shown = views.tools(con, leader).filter(~pl.col("suppressed"))
    released = con.sql(
        "select tool, sum(tokens)::bigint as tokens from release_tool_weeks where released group by tool"
    ).pl()
    joined = shown.select("tool", "total_tokens").join(released, on="tool", how="left")
    assert joined.height and (joined["total_tokens"].fill_null(0) == joined["tokens"].fill_null(0)).all()


def test_summary_shows_the_flagged_share_only_for_k_flagged_people(
    org: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """The red team's second attack: the share times the exact spend gave the flagged spend of two
    people. `summary --as` now shows the share only when at least k people are flagged in view."""
    from pipelines.metrics import analytics

    leader = _leader(con)
    result = CliRunner().invoke(app, ["summary", "--db", str(org), "--as", "demo-leader", "--json"])
    assert result.exit_code == 0, result.output
    share = json.loads(result.output)["tokenmaxxing_spend_share"]
    flags = analytics.tokenmaxxing(analytics.panel(con, views.scoped(leader, Filters()))).people
    flagged = flags.filter(pl.col("flagged_cost_usd") > 0).height
    assert (share is None) == (flagged < leader.k), (share, flagged)


def _agent_truth(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every agent-authored merged PR with its release unit and week, from the marts."""
    return con.sql(
        """select f.person_key, rp.release_unit, f.week from fct_merged_pull_requests f
           join release_people rp using (person_key) where f.is_agent"""
    ).pl()


def _agent_people_behind(truth: pl.DataFrame, units: set[str], weeks: set[object]) -> tuple[int, int]:
    rows = truth.filter(pl.col("release_unit").is_in(list(units)) & pl.col("week").is_in(list(weeks)))
    return rows.height, rows["person_key"].n_unique()


def test_agent_work_subtracted_across_unit_sets_reveals_no_small_group(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The red team's attack: agent work of every unit minus that of all units but one, week by week
    (and the organization's own week against all of its units). Whatever a difference reveals, the
    agent PRs behind it come from none or at least k people delegating to agents."""
    leader = _leader(con)
    k, truth = leader.k, _agent_truth(con)
    units = views.scope_units(con, leader)
    label_unit = dict(zip(units["team"].to_list(), units["release_unit"].to_list(), strict=True))
    all_units = set(label_unit.values())

    def agent_prs(filters: Filters) -> int | None:  # None: the view is withheld, nothing to subtract
        try:
            work = views.agent_work(con, leader, filters)
        except views.Withheld:
            return None
        return 0 if work is None else work.agent_merged_prs

    tried = 0
    for week in views.period_weeks(con, Filters())[-3:]:
        one_week = Filters(start=week, end=week)
        everything = agent_prs(one_week) or 0
        every_unit = agent_prs(replace(one_week, teams=tuple(label_unit))) or 0
        if everything != every_unit:  # what the organization's week holds beyond its released unit cells
            prs, people = _agent_people_behind(truth, all_units, {week})
            assert people >= k and everything - every_unit <= prs
        for label in list(label_unit)[:12]:
            rest = agent_prs(replace(one_week, teams=tuple(t for t in label_unit if t != label)))
            if rest is None:
                continue
            gap, tried = every_unit - rest, tried + 1
            if gap:  # one unit's agent PRs that week: shown only from k people delegating
                prs, people = _agent_people_behind(truth, {label_unit[label]}, {week})
                assert (gap, people >= k) == (prs, True), label
    assert tried > 0


def test_agent_work_counts_are_sums_of_released_cells(con: duckdb.DuckDBPyConnection) -> None:
    leader = _leader(con)
    work = views.agent_work(con, leader, Filters(teams=tuple(views.teams(con, leader))))
    cells = con.execute(
        "select sum(agent_merged_prs), count(*) filter (where not released_agent) from release_unit_weeks"
    ).fetchone()
    withheld_small = con.execute(
        "select count(*) from release_unit_weeks where not released_agent and agent_people is not null"
    ).fetchone()
    assert withheld_small == (0,)  # a withheld cell carries no figure at all
    if work is not None:
        assert work.agent_merged_prs == cells[0]
