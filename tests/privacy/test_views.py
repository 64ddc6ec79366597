"""The viewer-bound data layer on the demo organization, as each role: scope, suppression of
every group under k, and differencing attacks that must not isolate anyone."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.build import build
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import AccessDenied, Viewer, resolve
from pipelines.settings import Settings

from .conftest import org_keys

AGGREGATE_ROLES = ("manager", "leader", "analyst", "admin")


@pytest.fixture(scope="module")
def viewers(con, emails) -> dict[str, Viewer]:
    return {role: resolve(con, email) for role, email in emails.items() if role != "unknown"}


def week_counts(con, keys: set[str] | None = None) -> pl.DataFrame:
    """People per team and week from the fact mart, optionally within a set of person_keys."""
    frame = con.sql("select person_key, team, week, ai_rows from fct_person_weeks").pl()
    return frame if keys is None else frame.filter(pl.col("person_key").is_in(list(keys)))


def key_of(con, email: str) -> str:
    return con.execute("select person_key from dim_people where lower(email) = ?", [email]).fetchone()[0]


# ---- who is who ------------------------------------------------------------------------------


def test_roles_come_from_the_roster_and_the_access_file(con, viewers, emails):
    assert viewers["individual"].roles == {"individual"}
    assert viewers["manager"].roles == {"individual", "manager"} and viewers["manager"].reports
    assert "leader" in viewers["leader"].roles and viewers["leader"].sees_whole_org
    assert viewers["analyst"].roles == {"analyst"} and viewers["analyst"].person_key is None
    assert viewers["admin"].is_admin and viewers["admin"].person_key is None
    assert {v.k for v in viewers.values()} == {5}
    with pytest.raises(AccessDenied, match="neither in the roster nor in the access file"):
        resolve(con, emails["unknown"])


def test_an_individual_gets_no_aggregate_at_all(con, viewers):
    individual = viewers["individual"]
    for query in (
        views.weekly,
        views.teams_table,
        views.team_weekly,
        views.efficiency,
        views.check_selection,
    ):
        with pytest.raises(AccessDenied, match="your own data only"):
            query(con, individual, Filters())
    with pytest.raises(AccessDenied):
        views.teams(con, individual)
    assert views.direct_reports(con, individual).is_empty()


def test_person_weeks_only_for_oneself_and_direct_reports(con, viewers, emails):
    manager, individual, leader = viewers["manager"], viewers["individual"], viewers["leader"]
    own = views.person_weekly(con, individual, individual.person_key)
    assert own.height > 0 and own["week"].is_sorted()
    for report in manager.reports:
        assert views.person_weekly(con, manager, report).height > 0
    outside = sorted(
        set(con.sql("select person_key from dim_people").pl()["person_key"]) - set(manager.visible_people())
    )
    for viewer, key in [
        (manager, outside[0]),
        (individual, manager.person_key),
        (leader, individual.person_key),
    ]:
        with pytest.raises(AccessDenied):
            views.person_weekly(con, viewer, key)
        with pytest.raises(AccessDenied):
            views.person_name(con, viewer, key)
    for role in ("analyst", "admin"):  # not in the roster: nobody's person-level data
        with pytest.raises(AccessDenied):
            views.person_weekly(con, viewers[role], individual.person_key)


def test_direct_reports_are_exactly_the_roster_reports_in_name_order(con, viewers, emails):
    reports = views.direct_reports(con, viewers["manager"])
    expected = con.execute(
        """select r.person_key from dim_people r join dim_people m on r.manager_id = m.person_id
           where lower(m.email) = ?""",
        [emails["manager"]],
    ).fetchall()
    assert set(reports["person_key"]) == {r[0] for r in expected}
    assert reports["name"].to_list() == sorted(reports["name"].to_list())


def test_a_managers_aggregates_cover_their_org_and_nothing_else(con, viewers, emails):
    manager = viewers["manager"]
    org = org_keys(con, emails["manager"])
    assert manager.person_key in org and set(manager.reports) <= org
    expected = week_counts(con, org).group_by("week").agg(pl.len().alias("people")).sort("week")
    weekly = views.weekly(con, manager, Filters()).sort("week")
    assert weekly.select("week", pl.col("people_in_scope").alias("people")).equals(
        expected.with_columns(pl.col("people").cast(pl.Int64))
    )
    org_teams = set(week_counts(con, org)["team"])
    assert set(views.teams_table(con, manager, Filters())["team"]) <= org_teams
    assert set(views.team_weekly(con, manager, Filters())["team"]) <= org_teams
    # a page cannot widen the scope: `within` is replaced by the viewer's own
    asked = Filters(within=None)
    assert views.scoped(manager, asked).within == manager.person_key
    assert views.weekly(con, manager, asked).equals(weekly)


def test_leaders_analysts_and_admins_see_the_whole_organization(con, viewers):
    everyone = week_counts(con).group_by("week").agg(pl.len().cast(pl.Int64).alias("people")).sort("week")
    for role in ("leader", "analyst", "admin"):
        weekly = views.weekly(con, viewers[role], Filters()).sort("week")
        assert weekly["people_in_scope"].to_list() == everyone["people"].to_list(), role


# ---- no shown cell under k -------------------------------------------------------------------


def periods(con) -> list[Filters]:
    weeks = sorted(con.sql("select distinct week from fct_person_weeks").pl()["week"])
    return [Filters(), Filters(start=weeks[-4], end=weeks[-1]), Filters(start=weeks[0], end=weeks[0])]


@pytest.mark.parametrize("role", AGGREGATE_ROLES)
def test_no_shown_cell_covers_fewer_than_k_people(con, viewers, role):
    viewer = viewers[role]
    k = viewer.k
    for filters in periods(con):
        weekly = views.weekly(con, viewer, filters)
        shown = weekly.filter(~pl.col("suppressed"))
        assert (shown["people_in_scope"] >= k).all()
        assert ((shown["ai_users"] == 0) | (shown["ai_users"] >= k)).all()
        hidden = weekly.filter("suppressed")
        assert (
            hidden["tokens"].null_count() == hidden.height
            and hidden["cost_usd"].null_count() == hidden.height
        )

        for table in (views.teams_table(con, viewer, filters), views.team_weekly(con, viewer, filters)):
            assert (table.filter(~pl.col("suppressed"))["people"] >= k).all()
            figures = [c for c in table.columns if c not in ("team", "week", "suppressed")]
            hidden = table.filter("suppressed")
            assert all(hidden[c].null_count() == hidden.height for c in figures)

        eff = views.efficiency(con, viewer, filters)
        deciles = eff.deciles
        if "suppressed" in deciles.columns:  # withheld deciles: every figure is null
            deciles = deciles.filter(~pl.col("suppressed"))
        assert (deciles["people"] >= k).all()
        density = eff.density
        assert (density.filter(~pl.col("suppressed"))["people"] >= k).all()
        assert density.filter("suppressed")["people"].null_count() == density["suppressed"].sum()


def test_withheld_deciles_show_no_figure(con, viewers):
    eff = views.efficiency(con, viewers["leader"], periods(con)[2])  # one week: deciles of 4-5 AI users
    deciles = eff.deciles
    assert deciles.height and deciles["suppressed"].all()
    figures = [c for c in deciles.columns if c not in ("decile", "suppressed")]
    assert all(deciles[c].null_count() == deciles.height for c in figures)


def test_the_density_plot_never_puts_an_axis_end_on_one_person(con, viewers):
    eff = views.efficiency(con, viewers["leader"], Filters())
    assert eff.density.height and eff.ai_users >= 50
    assert eff.density["people"].drop_nulls().sum() <= eff.ai_users
    assert "person_key" not in eff.density.columns and "person_key" not in eff.deciles.columns


# ---- differencing attacks --------------------------------------------------------------------


def test_a_all_teams_but_a_small_one_is_withheld(con, viewers):
    leader = viewers["leader"]
    k = leader.k
    sizes = week_counts(con).group_by("team").agg(pl.col("person_key").n_unique().alias("people"))
    small = sizes.filter(pl.col("people") < k)["team"].to_list()
    large = sizes.filter(pl.col("people") >= k)["team"].to_list()
    assert small and large  # the demo has a one-person team (the CTO's office)
    for team in small:
        rest = tuple(sorted(t for t in sizes["team"] if t != team))
        for query in (views.weekly, views.teams_table, views.team_weekly, views.efficiency):
            with pytest.raises(views.Withheld, match="leaves out"):
                query(con, leader, Filters(teams=rest))
        with pytest.raises(views.Withheld):
            views.weekly(con, leader, Filters(teams=(team,)))
    # leaving out a team of k or more is fine, and the difference is that team, >= k people
    big = sorted(large)[0]
    rest = tuple(sorted(t for t in sizes["team"] if t != big))
    whole, part = views.weekly(con, leader, Filters()), views.weekly(con, leader, Filters(teams=rest))
    left_out = whole.join(part, on="week").select(pl.col("people_in_scope") - pl.col("people_in_scope_right"))
    assert ((left_out.to_series() == 0) | (left_out.to_series() >= k)).all()
    assert small[0] not in views.teams(con, leader)  # never offered in the sidebar


@pytest.mark.parametrize("role", ("leader", "analyst", "manager"))
def test_b_org_total_minus_the_shown_teams_never_leaves_fewer_than_k(con, viewers, emails, role):
    viewer = viewers[role]
    k = viewer.k
    scope = None if viewer.sees_whole_org else org_keys(con, emails[role])
    for filters in periods(con):
        table = views.teams_table(con, viewer, filters)
        counts = week_counts(con, scope)
        if filters.start:
            counts = counts.filter(pl.col("week").is_between(filters.start, filters.end))
        per_team = counts.group_by("team").agg(pl.col("person_key").n_unique().alias("n"))
        hidden = table.filter("suppressed").join(per_team, on="team")["n"].sum()
        assert hidden == 0 or hidden >= k
        total = counts["person_key"].n_unique()
        shown = int(table.filter(~pl.col("suppressed"))["people"].sum())
        assert total - shown == hidden  # teams partition the people: the remainder is the hidden teams


def _tool_users(con, keys: set[str] | None, filters: Filters, tools: tuple[str, ...]) -> tuple[int, int]:
    sql = "select person_key, week, tool from fct_person_week_tools where ai_rows > 0"
    used = con.sql(sql).pl()
    people = week_counts(con, keys)
    if filters.start:
        people = people.filter(pl.col("week").is_between(filters.start, filters.end))
    used = used.join(people.select("person_key", "week"), on=("person_key", "week"))
    chosen = used.filter(pl.col("tool").is_in(list(tools)))["person_key"].n_unique()
    others = used.filter(~pl.col("tool").is_in(list(tools)))["person_key"].n_unique()
    return chosen, others


@pytest.mark.parametrize("role", ("leader", "manager"))
def test_c_a_tool_used_by_fewer_than_k_or_whose_complement_is_is_withheld(con, viewers, emails, role):
    viewer = viewers[role]
    k = viewer.k
    scope = None if viewer.sees_whole_org else org_keys(con, emails[role])
    tools = sorted(con.sql("select distinct tool from fct_person_week_tools").pl()["tool"])
    withheld = shown = 0
    for filters in periods(con):
        for tool in tools:
            chosen, others = _tool_users(con, scope, filters, (tool,))
            asked = Filters(start=filters.start, end=filters.end, tools=(tool,))
            if 0 < chosen < k or 0 < others < k:
                withheld += 1
                with pytest.raises(views.Withheld, match="tools"):
                    views.weekly(con, viewer, asked)
                with pytest.raises(views.Withheld):
                    views.teams_table(con, viewer, asked)
            else:
                shown += 1
                views.check_selection(con, viewer, asked)
    if role == "leader":
        assert shown  # the rule is not simply "never"
    else:
        assert withheld  # a small org has tools that fewer than k people use


@pytest.mark.parametrize("role", ("leader", "analyst", "manager"))
def test_d_team_weekly_suppressed_teams_hold_none_or_k_people_in_every_week(con, viewers, emails, role):
    viewer = viewers[role]
    k = viewer.k
    scope = None if viewer.sees_whole_org else org_keys(con, emails[role])
    raw = week_counts(con, scope).group_by("team", "week").agg(pl.len().alias("n"))
    table = views.team_weekly(con, viewer, Filters()).join(raw, on=("team", "week"))
    assert table.height == raw.height
    for _, week in table.group_by("week"):
        hidden = int(week.filter("suppressed")["n"].sum())
        assert (week.filter(~pl.col("suppressed"))["n"] >= k).all()
        if int(week["n"].sum()) >= k:
            assert hidden == 0 or hidden >= k


def manager_only(con) -> list[str]:
    rows = con.execute(
        """select distinct lower(m.email) from dim_people m join dim_people r on r.manager_id = m.person_id
           where lower(m.email) not in (select email from access_roles) order by 1"""
    ).fetchall()
    return [r[0] for r in rows]


def test_e_within_one_viewer_a_manager_cannot_reach_people_outside_their_org(con, viewers, emails):
    """What the code guarantees: a manager's every view is inside their org, so a manager alone
    cannot difference their view against people they do not manage."""
    manager = viewers["manager"]
    org = org_keys(con, emails["manager"])
    foreign = sorted(set(week_counts(con)["team"]) - set(week_counts(con, org)["team"]))
    with pytest.raises(views.Withheld):  # teams outside the org hold no one in the manager's scope
        views.weekly(con, manager, Filters(teams=(foreign[0],)))
    own = views.teams_table(con, manager, Filters())
    asked = views.teams_table(con, manager, Filters(teams=tuple(own["team"])))
    assert asked.equals(own)


def test_e_a_managers_view_and_a_leaders_view_of_the_same_team_do_not_isolate_anyone(con, viewers):
    leader = viewers["leader"]
    k = leader.k
    whole = views.teams_table(con, leader, Filters()).filter(~pl.col("suppressed"))
    isolating = []
    for email in manager_only(con):
        manager = resolve(con, email)
        mine = views.teams_table(con, manager, Filters()).filter(~pl.col("suppressed"))
        both = mine.join(whole, on="team", suffix="_leader")
        gap = both.with_columns(gap=pl.col("people_leader") - pl.col("people"))
        isolating += [(email, r["team"], r["gap"]) for r in gap.iter_rows(named=True) if 0 < r["gap"] < k]
    assert isolating == []


def test_g_weekly_usage_of_fewer_than_k_ai_users_cannot_be_differenced_out(con, viewers):
    leader = viewers["leader"]
    k = leader.k
    teams = views.teams(con, leader)
    whole = views.weekly(con, leader, Filters())
    exposed = []
    for team in teams:
        part = views.weekly(con, leader, Filters(teams=tuple(t for t in teams if t != team)))
        both = whole.join(part, on="week", suffix="_rest").filter(
            pl.col("tokens").is_not_null() & pl.col("tokens_rest").is_not_null()
        )
        users = both.with_columns(left_out=pl.col("ai_users") - pl.col("ai_users_rest"))
        exposed += users.filter((pl.col("left_out") > 0) & (pl.col("left_out") < k)).select("week").rows()
    assert exposed == []


# ---- a manager with a deeper level: what is shown about people below their reports ------------


@pytest.fixture(scope="module")
def two_level(demo_input: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The demo with one engineer moved under a report of a first-level manager: that manager's org
    is then themself, their reports, and one person two levels down."""
    root = tmp_path_factory.mktemp("two_level")
    folder = root / "in"
    shutil.copytree(demo_input, folder)
    people = pl.read_csv(folder / "people.csv", infer_schema=False)
    with duckdb.connect(str(root / "x.duckdb")) as scratch:
        scratch.register("people", people)
        manager_id, report_id, moved_id = scratch.execute(
            """with managers as (
                   select m.person_id from people m
                   where m.role = 'manager' and exists (select 1 from people r where r.manager_id = m.person_id))
               select m.person_id,
                      (select min(r.person_id) from people r where r.manager_id = m.person_id),
                      (select min(o.person_id) from people o where o.role = 'engineer' and o.manager_id <> m.person_id)
               from managers m order by m.person_id limit 1"""
        ).fetchone()
    people = people.with_columns(
        manager_id=pl.when(pl.col("person_id") == moved_id)
        .then(pl.lit(report_id))
        .otherwise(pl.col("manager_id"))
    )
    people.write_csv(folder / "people.csv")
    db = root / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    email = people.filter(pl.col("person_id") == manager_id)["email"][0].lower()
    return db, email, moved_id


def test_f_a_managers_org_total_minus_the_people_they_see_does_not_isolate_a_deeper_report(two_level):
    """One person below the direct reports: the org's totals minus the people the manager sees one
    by one would be that person's figures, so the manager gets no org aggregates at all."""
    db, email, _moved_id = two_level
    with duckdb.connect(str(db), read_only=True) as con:
        manager = resolve(con, email)
        org = org_keys(con, email)
        deeper = org - set(manager.visible_people())
        assert len(deeper) == 1  # the setup: one person below the direct reports
        for view in (views.weekly, views.teams_table, views.team_weekly, views.efficiency, views.analytics):
            with pytest.raises(views.Withheld, match="below your direct reports"):
                view(con, manager, Filters())
        # their own and their direct reports' weeks stay visible, one by one
        assert all(views.person_weekly(con, manager, key).height for key in manager.visible_people())
