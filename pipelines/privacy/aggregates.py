"""A viewer's aggregates: sums of the released cells of the units in their scope (scope.py).

Nothing here reads a person-level mart: the release (release.py) is the only source, so no
subtraction of two views (periods, team selections, tool selections, pages, exports) can reveal
more than the release, which is safe as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb
import polars as pl

from pipelines.db import frame, run
from pipelines.metrics import changes, org_levels, released
from pipelines.metrics.filters import Filters
from pipelines.privacy.release import TOP_UNIT
from pipelines.privacy.scope import TOOLS_ORG_ONLY, Withheld, scope_units, selected_units
from pipelines.privacy.viewer import Viewer


def period_weeks(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[date]:
    """Every week of the warehouse's period within the filters."""
    weeks = [r[0] for r in run(con, "select distinct week from release_unit_weeks order by week")]
    return [
        w
        for w in weeks
        if (not filters.start or w >= filters.start) and (not filters.end or w <= filters.end)
    ]


def weekly(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    loaded: released.Loaded | None = None,
    scope: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per week of the view (metrics/released.py's columns); withheld weeks read null.
    `loaded`: the release read once, `scope`: scope_units() of the viewer (the dashboard keeps both)."""
    units = selected_units(con, viewer, filters, scope)
    whole = viewer.sees_whole_org and not filters.teams  # the organization's own cells: exact
    if loaded is not None:
        cells = loaded.cells(None if whole else units, filters.start, filters.end)
        weeks = [
            w
            for w in loaded.weeks
            if (not filters.start or w >= filters.start) and (not filters.end or w <= filters.end)
        ]
    else:
        if whole:
            cells = released.org_cells(con, filters.start, filters.end)
        else:
            cells = released.cells(con, units, filters.start, filters.end)
        weeks = period_weeks(con, filters)
    out = released.weekly(cells, weeks)
    if filters.tools:
        out = released.with_tools(out, released.tool_cells(con, filters.tools, filters.start, filters.end))
    return out


def _labels(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, scope: pl.DataFrame | None = None
) -> tuple[list[str], pl.DataFrame]:
    """The view's release units and their labels (`scope`: scope_units() when already read)."""
    if filters.tools:
        raise Withheld(TOOLS_ORG_ONLY.replace("clear the team selection", "clear the tool selection"))
    scope = scope_units(con, viewer) if scope is None else scope
    units = selected_units(con, viewer, filters, scope)
    return units, scope.filter(pl.col("release_unit").is_in(units))


def teams_table(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    loaded: released.Loaded | None = None,
    scope: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per unit of the view, in name order (never by a figure). `loaded`, `scope`: as for
    weekly()."""
    units, labels = _labels(con, viewer, filters, scope)
    if loaded is not None:
        cells = loaded.cells(units, filters.start, filters.end)
    else:
        cells = released.cells(con, units, filters.start, filters.end)
    return released.units_table(cells, labels)


def team_weekly(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each unit's weeks (headcount, active rate); withheld cells read null with their reason."""
    units, labels = _labels(con, viewer, filters)
    return released.unit_weekly(released.cells(con, units, filters.start, filters.end), labels)


@dataclass(frozen=True)
class TeamLevel:
    """One level of the viewer's org tree (metrics/org_levels.py) with its figures: each row an org
    (the sums of the released cells of the units in its subtree) or a team, in name order."""

    level: org_levels.Level
    table: pl.DataFrame  # released.rows_table() columns, plus drillable and teams
    weekly: pl.DataFrame  # released.rows_weekly() columns


def team_level(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    path: tuple[str, ...] = (),
    limit: int | None = None,
) -> TeamLevel:
    """The level reached by opening the orgs in `path` from the viewer's top (a leader: the orgs
    of their direct reports; a manager: those of their own org), or the teams chosen in the team
    filter side by side; `limit`: at most that many rows, the rest summed as "other" (exports and
    the pack)."""
    units, _ = _labels(con, viewer, filters)
    tree = frame(con, "select * from release_units")
    if filters.teams:
        lvl = org_levels.flat(tree, units)
    else:
        lvl = org_levels.level(tree, units, viewer.aggregate_root or TOP_UNIT, path)
    if limit is not None:
        lvl = org_levels.grouped(lvl, limit)
    cells = released.cells(con, lvl.members["release_unit"].to_list(), filters.start, filters.end)
    table = released.rows_table(cells, lvl.members)
    rows = lvl.rows.select("team", "drillable", "teams")
    return TeamLevel(
        level=lvl,
        table=rows.join(table, on="team", how="inner").select(*table.columns, "drillable", "teams"),
        weekly=released.rows_weekly(cells, lvl.members),
    )


def finance(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pl.DataFrame:
    """Exact spend per month (organization, and tools with at least k users): whole-org viewers only."""
    if not viewer.sees_whole_org:
        raise Withheld("Spend per month for finance is shown to leaders, analysts and admins.")
    return released.finance_months(con)


def unmatched(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> dict[str, int | float] | None:
    """What identities that match nobody carry (left out of every figure): for leaders, analysts
    and admins, and only when there are at least k of them; None otherwise."""
    from pipelines.metrics import queries

    if not viewer.sees_whole_org:
        return None
    totals = queries.unmatched(con)
    return totals if totals["identities"] >= viewer.k else None


def quality_checks(checks: pl.DataFrame, viewer: Viewer) -> pl.DataFrame:
    """The Data page's validation checks: examples of bad values (one person's exact day over the
    token ceiling, an unmatched account's email) go to admins only; the rest see the counts."""
    if viewer.is_admin or "examples" not in checks.columns:
        return checks
    return checks.with_columns(examples=pl.lit([], dtype=pl.List(pl.String)))


def tools(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pl.DataFrame:
    """The Data page's tools. For admins, every tool's rows and tokens as the build counted them
    (unmatched accounts included). For everyone else, a tool's tokens are the sum of its released
    tool-weeks (people in the roster only), and the rows and people are shown only when at least k
    people used it: a tool used by few people, or unmatched usage, would otherwise show one account."""
    from pipelines.db import frame

    table = frame(
        con,
        """select t.*, coalesce(u.users, 0) as users from dim_tools t left join (
               select tool, count(distinct person_key) as users from fct_person_week_tools
               where ai_rows > 0 group by tool) u using (tool)
           order by tool""",
    )
    if viewer.is_admin:
        return table.with_columns(suppressed=pl.lit(False))
    shown = frame(
        con,
        "select tool, sum(tokens)::bigint as released_tokens from release_tool_weeks where released group by tool",
    )
    small = pl.col("users") < viewer.k
    table = table.join(shown, on="tool", how="left").with_columns(
        total_tokens=pl.col("released_tokens"), unpriced_tokens=pl.lit(None, pl.Int64)
    )
    figures = [c for c in ("rows", "total_tokens", "users") if c in table.columns]
    return (
        table.drop("released_tokens")
        .with_columns(*[pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in figures])
        .with_columns(suppressed=small)
    )


def lead(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    target: float,
    loaded: released.Loaded | None = None,
    scope: pl.DataFrame | None = None,
) -> changes.Lead:
    """What changed against the previous period of the same length (metrics/changes.py), from the
    viewer's released weekly figures and units tables only. `loaded`, `scope`: as for weekly()."""
    weeks = list(loaded.weeks) if loaded is not None else period_weeks(con, Filters())
    p = changes.periods(weeks, filters.start, filters.end)
    if p is None:
        return changes.Lead(None, target, {}, None, 0, (), ())
    both = replace(filters, start=p.previous[0] if p.previous else p.current[0], end=p.current[1])
    series = weekly(con, viewer, both, loaded, scope)
    now_teams = before_teams = None
    units = selected_units(con, viewer, filters, scope)
    # teams far off target, or whose spend grew without output: among two or more units (for one,
    # its own figures above say it); tools are released for the whole organization only
    if not filters.tools and len(units) > 1:
        now = replace(filters, start=p.current[0], end=p.current[1])
        now_teams = teams_table(con, viewer, now, loaded, scope)
        if p.previous:
            before = replace(filters, start=p.previous[0], end=p.previous[1])
            before_teams = teams_table(con, viewer, before, loaded, scope)
    return changes.lead(series, p, target, now_teams, before_teams)
