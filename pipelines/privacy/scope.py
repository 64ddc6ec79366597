"""Which units of the release a viewer sees, and whether a filtered view may be shown at all.

Aggregates are sums of released cells (release.py), so any unit, period or tool selection the
viewer's scope allows is safe by construction: a selection is only checked against the scope
(a unit outside it is refused) and the release's grain (tools are released for the whole
organization only). Estimates are computed from person-weeks, not cells, so check_estimate()
keeps one rule for every estimate: the people behind it and the people it leaves out of the
viewer's scope are each none or at least k.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from pipelines.db import frame, one
from pipelines.metrics.filters import ORG_BELOW, Filters
from pipelines.privacy import suppression
from pipelines.privacy.viewer import AccessDenied, Viewer


class Withheld(AccessDenied):
    """The whole view is withheld; the message tells the reader why, in words."""


TOOLS_ORG_ONLY = (
    "Figures by tool are released for the whole organization only (a tool's users in one team are "
    "too few to show safely): clear the team selection to see them."
)


def scoped(viewer: Viewer, filters: Filters) -> Filters:
    """The filters with the viewer's aggregate scope put in (a page's `within` is ignored), over the
    person-weeks of released unit-weeks only: an estimate then reaches no withheld cell, so two
    estimates (or an estimate and a released total) cannot be subtracted to leave one."""
    return replace(filters, within=viewer.aggregate_root, released_only=True)


def scope_units(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pl.DataFrame:
    """release_unit, team (label) of every unit the viewer's aggregates cover, in name order: all
    for a leader, analyst or admin; for a manager, the units rooted in their org (a unit that took
    in theirs from above is outside it: those people show on My team one by one)."""
    root = viewer.aggregate_root
    if root is None:
        return frame(
            con,
            "select distinct release_unit, release_label as team from release_units order by team, release_unit",
        )
    return frame(
        con,
        f"""select distinct release_unit, release_label as team from release_units
            where release_unit in ({ORG_BELOW}) order by team, release_unit""",
        [root],
    )


def teams(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> list[str]:
    """The units a viewer may filter by, in name order."""
    return scope_units(con, viewer)["team"].to_list()


def selected_units(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, scope: pl.DataFrame | None = None
) -> list[str]:
    """The release units of this view: the viewer's scope (`scope`: scope_units() when already
    read), narrowed to the chosen units."""
    if filters.tools and (filters.teams or not viewer.sees_whole_org):
        raise Withheld(TOOLS_ORG_ONLY)
    scope = scope_units(con, viewer) if scope is None else scope
    if scope.is_empty():
        raise Withheld(
            "Your org is too small to show as an aggregate: your direct reports show one by one on My team."
        )
    if not filters.teams:
        return scope["release_unit"].to_list()
    unknown = sorted(set(filters.teams) - set(scope["team"].to_list()))
    if unknown:
        raise Withheld(f"Not a team in your view: {', '.join(unknown)}. Choose from the team filter.")
    return scope.filter(pl.col("team").is_in(list(filters.teams)))["release_unit"].to_list()


_CHECKED: dict[tuple[Viewer, Filters], tuple[pl.DataFrame, Filters | Withheld]] = {}
_COUNTED: dict[tuple[int, Filters, tuple[str, ...] | None], tuple[pl.DataFrame, int]] = {}
CHECKED_ENTRIES = 1024


def _people(
    con: duckdb.DuckDBPyConnection,
    view: Filters,
    unseen: tuple[str, ...] | None = None,
    scope_panel: pl.DataFrame | None = None,
) -> int:
    """Distinct people in the view (`unseen`: leaving these out), from the scope's panel when given."""
    if scope_panel is not None:
        from pipelines.metrics.analytics.panel import panel_of

        key = (id(scope_panel), view, unseen)
        counted = _COUNTED.get(key)
        if counted is not None and counted[0] is scope_panel:
            return counted[1]  # the whole scope's count: the same for every unit selection
        keys = panel_of(scope_panel, view)["person_key"]
        if unseen is not None:
            keys = keys.filter(~keys.is_in(list(unseen)))
        if len(_COUNTED) >= CHECKED_ENTRIES:
            _COUNTED.pop(next(iter(_COUNTED)))
        _COUNTED[key] = (scope_panel, keys.n_unique())
        return _COUNTED[key][1]
    sql, params = view.person_week_sql()
    counted = "count(distinct person_key)"
    if unseen is not None:  # person_keys are hex digests: safe to inline
        seen = ", ".join(f"'{key}'" for key in unseen) or "''"
        counted += f" filter (where person_key not in ({seen}))"
    return int(one(con, f"with pw as ({sql}) select {counted} from pw", params)[0] or 0)


def check_estimate(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, scope_panel: pl.DataFrame | None = None
) -> Filters:
    """_check_estimate(), remembered per viewer and filters for the scope panel it was counted on
    (the dashboard keeps one per scope, so a page's guardrails, agent work and page check of one
    view count once)."""
    if scope_panel is None:
        return _check_estimate(con, viewer, filters)
    seen = _CHECKED.get((viewer, filters))
    if seen is not None and seen[0] is scope_panel:
        if isinstance(seen[1], Withheld):
            raise seen[1]
        return seen[1]
    try:
        result: Filters | Withheld = _check_estimate(con, viewer, filters, scope_panel)
    except Withheld as error:
        result = error
    if len(_CHECKED) >= CHECKED_ENTRIES:
        _CHECKED.pop(next(iter(_CHECKED)))
    _CHECKED[(viewer, filters)] = (scope_panel, result)
    if isinstance(result, Withheld):
        raise result
    return result


def _check_estimate(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, scope_panel: pl.DataFrame | None = None
) -> Filters:
    """The scoped filters for an estimate over person-weeks, or Withheld when the people behind it,
    or those it leaves out of the viewer's scope, number fewer than k. `scope_panel`: the panel of
    the viewer's whole scope over every week, to count from instead of the marts."""
    selected_units(con, viewer, filters)  # the same scope and grain as every aggregate
    view = scoped(viewer, filters)
    k = viewer.k
    whole = replace(view, teams=(), tools=())
    in_scope = _people(con, whole, scope_panel=scope_panel)
    if in_scope < k:
        raise Withheld(
            f"No estimate is shown for this view: estimates use only the weeks of teams whose figures "
            f"can be shown on their own (at least {k} people and {k} AI users, and nothing that could be "
            f"worked out from a total), and fewer than {k} people are in such weeks here. The totals "
            "are still shown."
        )
    if view.within and viewer.visible_people():
        deeper = _people(con, whole, viewer.visible_people(), scope_panel)
        if 0 < deeper < k:
            raise Withheld(
                f"Fewer than {k} people in your org sit below your direct reports, so no estimate over "
                "your org is shown: My data and My team show what you may see."
            )
    if view.teams:
        selected = _people(con, replace(whole, teams=view.teams), scope_panel=scope_panel)
        if not suppression.selection_allowed(selected, in_scope, k):
            raise Withheld(
                f"This team selection covers, or leaves out, fewer than {k} people, too few for an "
                "estimate. Choose more teams, or all."
            )
    if view.tools:
        sql, params = replace(view, tools=()).person_week_sql()
        marks = ", ".join("?" for _ in view.tools)
        chosen, others = one(
            con,
            f"""with pw as ({sql}),
            used as (select t.person_key, t.tool in ({marks}) as chosen from fct_person_week_tools t
                     semi join pw on pw.person_key = t.person_key and pw.week = t.week
                     where t.ai_rows > 0)
            select count(distinct person_key) filter (where chosen),
                   count(distinct person_key) filter (where not chosen) from used""",
            [*params, *view.tools],
        )
        if (0 < chosen < k) or (0 < others < k):
            raise Withheld(
                f"Fewer than {k} people use the chosen tools, or the other tools, in this view: too few "
                "for an estimate. Choose more tools, or all."
            )
    return view


check_selection = check_estimate  # the name the pages and exports know: one check for a view
