"""The release: every aggregate cell any viewer may ever see, computed once per warehouse.

Every aggregate a page, summary, export or pack shows is a sum of released cells, so no set of
views (periods, units, tools, pages, exports) reveals more than the release itself. The release is
made safe as a whole by cell suppression (docs/privacy.md has the threat model and the proof):

- cells: org unit x ISO week (a unit is one manager's direct reports, so units nest along the org
  tree and a manager's org is a union of units), and tool x ISO week over the whole organization;
- primary suppression: a cell under k people (or its usage under k AI users) is withheld, and so
  is a cell that a viewer who sees it could reduce below k by subtracting the people they know
  one by one (a leader knows their own weeks and their direct reports' weeks);
- secondary suppression: the organization's spend per month is released exactly (finance
  reconciles it with invoices), and so is each tool's where it had at least k users that month.
  What is withheld in a week (or a tool's withheld weeks in a month) is then learnable as one sum,
  so more cells are withheld, smallest first, until that sum covers at least k AI users beyond
  anyone a viewer knows.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from pipelines.db import frame
from pipelines.privacy.access import Access, from_warehouse
from pipelines.privacy.release_rules import (
    knower_overlaps,
    primary,
    secondary_by_week,
    secondary_tool_months,
)

TOP_UNIT = "top"  # the unit of the people whose manager is not in the roster


@dataclass(frozen=True)
class Release:
    """The released cells. Withheld cells keep their keys and the reason, never a figure."""

    k: int
    units: pl.DataFrame  # unit_key, manager_key, parent_unit_key, label, release_unit
    unit_weeks: pl.DataFrame  # unit_key, week, people, ai_users, useful_ai_people, merged_prs,
    # closed_tickets, tokens, cost_micro_usd, unpriced_tokens, released_people, released_usage, reason
    tool_weeks: pl.DataFrame  # tool, week, users, tokens, cost_micro_usd, released, reason
    finance_months: pl.DataFrame  # month, tool ("*" = every tool), cost_micro_usd: exact


UNIT_MEASURES = ("useful_ai_people", "merged_prs", "closed_tickets")
USAGE_MEASURES = ("tokens", "cost_micro_usd", "unpriced_tokens")


def units(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One unit per manager (their direct reports), plus the top unit; labelled by team and manager."""
    return frame(
        con,
        f"""with people as (select person_id, person_key, name, team, manager_id from dim_people),
        managers as (select distinct m.person_key as manager_key, m.name, m.team, m.manager_id
                     from people m join people r on r.manager_id = m.person_id)
        select m.manager_key as unit_key, m.manager_key,
               coalesce(up.person_key, '{TOP_UNIT}') as parent_unit_key,
               m.team || ' · ' || m.name as label
        from managers m left join people up on up.person_id = m.manager_id
        union all
        select '{TOP_UNIT}', null, null, 'Top of the organization'
        order by unit_key""",
    )


def _person_units(con: duckdb.DuckDBPyConnection, mapping: pl.DataFrame | None = None) -> str:
    """SQL: each person's unit (their manager's), or its release unit when `mapping` merges units."""
    direct = f"""select p.person_key, coalesce(m.person_key, '{TOP_UNIT}') as unit_key
               from dim_people p left join dim_people m on m.person_id = p.manager_id"""
    if mapping is None:
        return direct
    pairs = ", ".join(f"('{a}', '{b}')" for a, b in mapping.iter_rows())  # hex keys: safe to inline
    return f"""select d.person_key, coalesce(r.release_unit, d.unit_key) as unit_key from ({direct}) d
               left join (values {pairs}) as r(unit_key, release_unit) using (unit_key)"""


def _unit_cells(con: duckdb.DuckDBPyConnection, person_units: str) -> pl.DataFrame:
    return frame(
        con,
        f"""with pu as ({person_units})
        select pu.unit_key, pw.week,
               count(*) as people,
               count(*) filter (where pw.ai_rows > 0) as ai_users,
               count(*) filter (where pw.ai_rows > 0 and (pw.merged_prs > 0 or pw.closed_tickets > 0))
                   as useful_ai_people,
               sum(pw.merged_prs)::bigint as merged_prs,
               sum(pw.closed_tickets)::bigint as closed_tickets,
               sum(pw.total_tokens)::bigint as tokens,
               sum(pw.cost_micro_usd)::bigint as cost_micro_usd,
               sum(pw.unpriced_tokens)::bigint as unpriced_tokens
        from fct_person_weeks pw join pu using (person_key)
        group by all order by pu.unit_key, pw.week""",
    )


def _tool_cells(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(
        con,
        """select tool, week, count(distinct person_key) as users,
                  sum(total_tokens)::bigint as tokens, sum(cost_micro_usd)::bigint as cost_micro_usd
           from fct_person_week_tools where ai_rows > 0 group by all order by tool, week""",
    )


def _finance_months(con: duckdb.DuckDBPyConnection, k: int) -> pl.DataFrame:
    """Spend per calendar month, for the organization and per tool with at least k users that month."""
    return frame(
        con,
        f"""with days as (
            select date_trunc('month', usage_date)::date as month, tool, person_id, cost_micro_usd
            from int_ai_usage_resolved_to_person_day where person_id is not null
        ),
        org as (select month, '*' as tool, sum(cost_micro_usd)::bigint as cost_micro_usd,
                       count(distinct person_id) as ai_users from days group by all),
        tools as (select month, tool, sum(cost_micro_usd)::bigint as cost_micro_usd,
                         count(distinct person_id) as ai_users from days group by all)
        select * from org where ai_users >= {k}
        union all select * from tools where ai_users >= {k}
        order by month, tool""",
    )


def merged_units(cells: pl.DataFrame, tree: pl.DataFrame, k: int) -> dict[str, str]:
    """Each unit's release unit: a unit too small to release most weeks on its own is merged into
    its parent, deepest first, until the merged unit has k people every week and k AI users in the
    median week (with one to spare for a viewer who knows their own weeks). Only utility depends
    on this: the rules run on the merged cells as on any others."""
    weeks = sorted(cells["week"].unique().to_list())
    index = {w: i for i, w in enumerate(weeks)}
    people: dict[str, np.ndarray] = {}
    users: dict[str, np.ndarray] = {}
    for unit, week, n, ai in cells.select("unit_key", "week", "people", "ai_users").iter_rows():
        people.setdefault(unit, np.zeros(len(weeks)))[index[week]] = n
        users.setdefault(unit, np.zeros(len(weeks)))[index[week]] = ai
    parent = dict(zip(tree["unit_key"].to_list(), tree["parent_unit_key"].to_list(), strict=True))

    def depth(unit: str) -> int:
        seen, d = set(), 0
        while parent.get(unit) and unit not in seen:
            seen.add(unit)
            unit, d = parent[unit], d + 1
        return d

    into = {unit: unit for unit in parent}
    for unit in sorted(parent, key=lambda u: (-depth(u), u)):
        up = parent.get(unit)
        if up is None or unit not in people:
            continue
        active = people[unit] > 0
        small = (people[unit][active] < k + 1).any() or float(np.median(users[unit][active])) < k + 1
        if small:
            people[up] = people.get(up, np.zeros(len(weeks))) + people.pop(unit)
            users[up] = users.get(up, np.zeros(len(weeks))) + users.pop(unit)
            for member, target in into.items():
                if target == unit:
                    into[member] = up
    return into


def build(con: duckdb.DuckDBPyConnection, access: Access | None = None) -> Release:
    """The release of one warehouse (see the module doc); k from its access rules."""
    access = access or from_warehouse(con)
    k = access.min_group_size
    tree = units(con)
    into = merged_units(_unit_cells(con, _person_units(con)), tree, k)
    mapping = pl.DataFrame({"unit_key": list(into), "release_unit": list(into.values())})
    person_units = _person_units(con, mapping)
    overlaps = knower_overlaps(con, access, person_units)
    unit_weeks = primary(_unit_cells(con, person_units), overlaps.units, k)
    unit_weeks = secondary_by_week(unit_weeks, overlaps.units, k)
    finance = _finance_months(con, k)
    tool_weeks = primary(_tool_cells(con), overlaps.tools, k)
    tool_weeks = secondary_tool_months(con, tool_weeks, finance, overlaps, k)
    return Release(
        k=k,
        units=tree.join(mapping, on="unit_key", how="left").with_columns(
            pl.col("release_unit").fill_null(pl.col("unit_key"))
        ),
        unit_weeks=_blank(unit_weeks),
        tool_weeks=_blank(tool_weeks),
        finance_months=finance.select("month", "tool", "cost_micro_usd"),
    )


def _blank(cells: pl.DataFrame) -> pl.DataFrame:
    """Null every figure of a withheld cell: what is not released is not in the release at all."""
    people_cols = [c for c in ("people", "ai_users", *UNIT_MEASURES) if c in cells.columns]
    usage_cols = [c for c in (*USAGE_MEASURES, "users") if c in cells.columns]
    people_ok = pl.col("released_people") if "released_people" in cells.columns else pl.col("released")
    usage_ok = pl.col("released_usage") if "released_usage" in cells.columns else pl.col("released")
    return cells.with_columns(
        *[pl.when(people_ok).then(pl.col(c)).alias(c) for c in people_cols],
        *[pl.when(usage_ok).then(pl.col(c)).alias(c) for c in usage_cols],
    )
