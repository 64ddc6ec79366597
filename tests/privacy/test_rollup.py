"""The rollup (per team and week sums made once per viewer) gives the figures, verdicts and
suppressions the queries on the marts give, for every role and many team and period selections;
and where it cannot be exact, or was made for someone else, the queries answer."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.db import one, run
from pipelines.metrics import queries
from pipelines.metrics import rollup as rollups
from pipelines.metrics.analytics import panel
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import Viewer, resolve

from .conftest import org_keys

AGGREGATE_ROLES = ("manager", "leader", "analyst", "admin")


@pytest.fixture(scope="module")
def viewers(con, emails) -> dict[str, Viewer]:
    return {role: resolve(con, emails[role]) for role in AGGREGATE_ROLES}


def scope_rollup(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> rollups.Rollup:
    """What dashboard/data.py caches: the viewer's rollup with the panel of their scope."""
    return views.rollup(con, viewer, panel(con, Filters(within=viewer.aggregate_root)))


def selections(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> list[Filters]:
    """Periods (whole, last four weeks, one week, and bounds that are not Mondays) crossed with
    no team, single teams, pairs of neighbours, every team but one, and teams not offered (under
    k people, or outside a manager's org)."""
    weeks = sorted(con.sql("select distinct week from fct_person_weeks").pl()["week"])
    periods = [
        (None, None),
        (weeks[-4], weeks[-1]),
        (weeks[0], weeks[0]),
        (weeks[2] + timedelta(days=1), weeks[6] + timedelta(days=3)),
    ]
    everyone = sorted(con.sql("select distinct team from fct_person_weeks").pl()["team"])
    offered = views.teams(con, viewer)
    teams: list[tuple[str, ...]] = [(), *[(t,) for t in offered[:5]], *list(itertools.pairwise(offered))[:3]]
    teams += [tuple(t for t in offered if t != left_out) for left_out in offered[:3]]
    teams += [(t,) for t in everyone if t not in offered][:2]
    return [Filters(start=start, end=end, teams=chosen) for start, end in periods for chosen in teams]


def outcome(call, *args, **kwargs) -> object:
    """The result, or the reason a view is withheld."""
    try:
        return call(*args, **kwargs)
    except views.Withheld as error:
        return f"withheld: {error}"


def same(direct: object, summed: object) -> None:
    if isinstance(direct, pl.DataFrame):
        assert isinstance(summed, pl.DataFrame), summed
        assert_frame_equal(direct, summed, check_exact=True)
    elif isinstance(direct, views.analytics_review.Guardrails):
        # the same panel (test_a_views_panel_is_its_rows_of_the_scopes_panel); the intervals sum
        # floats per person in polars' group order, which differs from one call to the next
        for name in ("by_decile", "by_team", "overall"):
            assert_frame_equal(getattr(direct, name), getattr(summed, name), rel_tol=1e-12)
    else:
        assert direct == summed


@pytest.mark.parametrize("role", AGGREGATE_ROLES)
def test_weekly_verdicts_and_guardrails_equal_the_queries_on_the_marts(con, viewers, role):
    viewer = viewers[role]
    summed = scope_rollup(con, viewer)
    assert summed.totals.exact and summed.panel is not None  # the demo mart: the rollup answers
    shown = withheld = 0
    for number, filters in enumerate(selections(con, viewer)):
        calls = [(views.check_selection, ()), (views.weekly, ()), (views.guardrails, (True,))]
        if number % 4 == 0:  # by team and decile too (slower)
            calls.append((views.guardrails, (False,)))
        for call, extra in calls:
            args = (con, viewer, filters, *extra)
            direct = outcome(call, *args)
            same(direct, outcome(call, *args, rollup=summed))
            if call is views.weekly:
                shown, withheld = shown + isinstance(direct, pl.DataFrame), withheld + isinstance(direct, str)
    assert shown and withheld  # both verdicts were compared


def test_every_manager_gets_the_same_weeks_from_their_rollup(con):
    managers = [
        r[0]
        for r in con.execute(
            """select distinct lower(m.email) from dim_people m join dim_people r on r.manager_id = m.person_id
               where lower(m.email) not in (select email from access_roles) order by 1"""
        ).fetchall()
    ]
    assert len(managers) > 3
    for email in managers:
        manager = resolve(con, email)
        summed = scope_rollup(con, manager)
        for filters in selections(con, manager)[:6]:
            same(
                outcome(views.weekly, con, manager, filters),
                outcome(views.weekly, con, manager, filters, summed),
            )


@pytest.mark.parametrize("role", ("manager", "leader"))
def test_head_counts_over_a_period_are_the_distinct_people(con, viewers, emails, role):
    """people_count against a count made here from the mart (and the org from the roster)."""
    viewer = viewers[role]
    summed = scope_rollup(con, viewer)
    rows = con.sql("select person_key, team, week from fct_person_weeks").pl()
    if not viewer.sees_whole_org:
        rows = rows.filter(pl.col("person_key").is_in(list(org_keys(con, emails[role]))))
    unseen = rows.filter(~pl.col("person_key").is_in(list(viewer.visible_people())))
    for filters in selections(con, viewer):
        view = views.scoped(viewer, filters)
        keep = pl.lit(True)
        if filters.start:
            keep &= pl.col("week").is_between(filters.start, filters.end)
        if filters.teams:
            keep &= pl.col("team").is_in(list(filters.teams))
        assert summed.people_count(view) == rows.filter(keep)["person_key"].n_unique()
        assert summed.people_count(view, unseen=True) == unseen.filter(keep)["person_key"].n_unique()


def test_a_tool_filter_or_another_viewers_rollup_goes_to_the_queries(con, viewers):
    leader, manager = viewers["leader"], viewers["manager"]
    (tool,) = one(
        con, "select tool from fct_person_week_tools group by tool order by count(*) desc, tool limit 1"
    )
    with_tool = Filters(tools=(tool,))
    summed = scope_rollup(con, leader)
    assert not summed.serves(views.scoped(leader, with_tool))
    same(outcome(views.weekly, con, leader, with_tool), outcome(views.weekly, con, leader, with_tool, summed))
    # the leader's sums cover everyone: a manager passed them still sees only their own org
    assert views.weekly(con, manager, Filters(), summed).equals(views.weekly(con, manager, Filters()))
    mine = scope_rollup(con, manager)
    assert views.weekly(con, leader, Filters(), mine).equals(views.weekly(con, leader, Filters()))


@pytest.mark.parametrize("role", ("manager", "leader"))
def test_a_views_panel_is_its_rows_of_the_scopes_panel(con, viewers, role):
    viewer = viewers[role]
    scope = panel(con, Filters(within=viewer.aggregate_root))
    for filters in selections(con, viewer):
        view = views.scoped(viewer, filters)
        # floats summed in DuckDB (hours to merge) may differ in the last bit between two queries
        assert_frame_equal(rollups.panel_of(scope, view), panel(con, view), rel_tol=1e-12)


def test_a_panel_of_another_scope_is_not_kept(con, viewers):
    leader = viewers["leader"]
    start, _ = queries.period(con)
    narrower = panel(con, Filters(start=start + timedelta(days=7)))
    assert views.rollup(con, leader, narrower).panel is None
    assert views.rollup(con, leader, panel(con, Filters())).panel is not None


# ---- a mart the sums cannot answer exactly: given rows on an in-memory DuckDB ------------------


FIGURES = (  # the other columns of fct_person_weeks that queries read: 3 of each per row
    "ai_requests",
    "total_tokens",
    "cost_micro_usd",
    "unpriced_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "merged_prs",
    "merged_additions",
    "merged_deletions",
    "closed_tickets",
    "closed_bug_tickets",
)


def mart(rows: list[tuple[str, str | None, date, int]]) -> duckdb.DuckDBPyConnection:
    """fct_person_weeks from (person_key, team, week, ai_rows) rows, on an in-memory DuckDB."""
    con = duckdb.connect()
    figures = ", ".join(f"{name} bigint" for name in FIGURES)
    run(
        con,
        f"create table fct_person_weeks (person_key varchar, team varchar, week date, ai_rows bigint, {figures})",
    )
    for row in rows:
        run(con, f"insert into fct_person_weeks values (?, ?, ?, ?{', 3' * len(FIGURES)})", row)
    return con


MONDAY = date(2026, 3, 2)


def weeks(*offsets: int) -> list[date]:
    return [MONDAY + timedelta(days=7 * i) for i in offsets]


def test_gapless_weeks_answer_any_period_even_between_mondays():
    rows = [("a", "x", w, 1) for w in weeks(0, 1, 2)] + [("b", "y", w, 0) for w in weeks(3, 4)]
    con = mart(rows)
    summed = rollups.rollup(con, None)
    assert summed.totals.exact
    for start, end in [
        (MONDAY + timedelta(days=1), MONDAY + timedelta(days=6)),  # no Monday inside: no one
        (MONDAY + timedelta(days=1), MONDAY + timedelta(days=7)),  # a's second week
        (weeks(2)[0], weeks(3)[0]),  # both
        (weeks(2)[0] + timedelta(days=1), weeks(5)[0]),  # b only
    ]:
        filters = Filters(start=start, end=end)
        (expected,) = one(
            con,
            "select count(distinct person_key) from fct_person_weeks where week between ? and ?",
            [start, end],
        )
        assert summed.people_count(filters) == expected
        assert_frame_equal(summed.weekly(filters), queries.weekly(con, filters), check_exact=True)


@pytest.mark.parametrize(
    "rows",
    [
        [("a", "x", w, 1) for w in weeks(0, 2)] + [("b", "x", w, 1) for w in weeks(0, 1, 2)],  # a gap
        [("a", None, w, 1) for w in weeks(0, 1)],  # a person without a team
    ],
)
def test_gaps_or_null_teams_leave_the_answer_to_the_queries(rows):
    summed = rollups.rollup(mart(rows), None)
    assert not summed.totals.exact and not summed.serves(Filters())
