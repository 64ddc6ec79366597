"""The viewer-bound data layer on the demo organization, as each role: scope, person-level views,
and no shown group under k. (Differencing attacks: test_attacks.py; the release: test_release.py.)"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import AccessDenied, Viewer, resolve

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


def _released_people(con, units: list[str]) -> pl.DataFrame:
    """People per week over the released cells of these units, recomputed from the release table."""
    return (
        con.sql("select unit_key, week, people, released_people from release_unit_weeks")
        .pl()
        .filter(pl.col("unit_key").is_in(units) & pl.col("released_people"))
        .group_by("week")
        .agg(pl.col("people").sum())
        .sort("week")
    )


def test_a_managers_aggregates_are_the_released_cells_of_their_org(con, viewers, emails):
    manager = viewers["manager"]
    org = org_keys(con, emails["manager"])
    assert manager.person_key in org and set(manager.reports) <= org
    units = views.scope_units(con, manager)
    if units.is_empty():  # a small org merged into the unit above: My team shows it one by one
        with pytest.raises(views.Withheld, match="My team"):
            views.weekly(con, manager, Filters())
        return
    # every unit in scope is rooted in the manager's org, and so are all its people
    members = con.sql("select person_key, release_unit from release_people").pl()
    inside = members.filter(pl.col("release_unit").is_in(units["release_unit"].to_list()))
    assert set(inside["person_key"]) <= org
    weekly = views.weekly(con, manager, Filters()).filter(~pl.col("suppressed"))
    expected = _released_people(con, units["release_unit"].to_list())
    assert weekly.select("week", pl.col("people_in_scope").alias("people")).equals(
        expected.filter(pl.col("week").is_in(weekly["week"].implode()))
    )
    # a page cannot widen the scope: `within` is replaced by the viewer's own
    asked = Filters(within=None)
    assert views.scoped(manager, asked).within == manager.person_key
    assert views.weekly(con, manager, asked).equals(views.weekly(con, manager, Filters()))


def test_leaders_analysts_and_admins_see_the_organizations_weeks_exactly(con, viewers):
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

        team_weeks = views.team_weekly(con, viewer, filters)
        assert (team_weeks.filter(~pl.col("suppressed"))["people"] >= k).all()
        hidden = team_weeks.filter("suppressed")
        assert hidden["people"].null_count() == hidden["weekly_active_rate"].null_count() == hidden.height
        table = views.teams_table(con, viewer, filters)
        assert (table.filter(~pl.col("suppressed"))["people"].drop_nulls() >= k).all()

        try:
            eff = views.efficiency(con, viewer, filters)
        except views.Withheld:  # an estimate needs k people in released weeks: none here
            continue
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
