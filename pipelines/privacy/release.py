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
from pipelines.privacy import release_cost
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
    units: pl.DataFrame  # unit_key, manager_key, parent_unit_key, label, release_unit, release_label
    unit_weeks: pl.DataFrame  # unit_key, week, people, ai_users, useful_ai_people, merged_prs,
    # closed_tickets, tokens, cost_micro_usd, unpriced_tokens, agent_people, agent_merged_prs,
    # agent_unreviewed, agent_review_known, released_people, released_usage, released_agent, reason
    org_weeks: pl.DataFrame  # week and the unit-week measures for the whole organization
    tool_weeks: pl.DataFrame  # tool, week, users, tokens, cost_micro_usd, released, reason
    finance_months: pl.DataFrame  # month, tool ("*" = every tool), cost_micro_usd: exact


UNIT_MEASURES = ("useful_ai_people", "merged_prs", "closed_tickets")
USAGE_MEASURES = ("tokens", "cost_micro_usd", "unpriced_tokens")
# agent-authored work per unit-week and organization-week: released where none or at least k people
# delegated to agents (beyond anyone a knower knows), with secondary suppression per week as for usage
# since the organization's week is released.
AGENT_MEASURES = ("agent_people", "agent_merged_prs", "agent_unreviewed", "agent_review_known")
AGENT_PERSON_WEEKS = """select person_key, week,
        count(*) filter (where is_agent) as agent_prs,
        count(*) filter (where is_agent and not human_reviewed) as agent_unreviewed,
        count(*) filter (where is_agent and human_reviewed is not null) as agent_review_known
    from fct_merged_pull_requests group by all"""


def units(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One unit per manager (their direct reports), plus the top unit. A unit is labelled by its
    members' team when most of them share one, else by its manager's team ("catalog leads"); never
    by a person's name. A label that repeats gets a number."""
    tree = frame(
        con,
        f"""with people as (select person_id, person_key, name, team, manager_id from dim_people),
        reports as (select m.person_key as manager_key, m.person_id as manager_person_id,
                           m.team as manager_team, m.manager_id, r.team, count(*) as n
                    from people m join people r on r.manager_id = m.person_id group by all),
        ranked as (select *, sum(n) over (partition by manager_key) as total,
                          row_number() over (partition by manager_key order by n desc, team) as rank
                   from reports)
        select r.manager_key as unit_key, r.manager_key,
               coalesce(up.person_key, '{TOP_UNIT}') as parent_unit_key,
               case when r.n * 2 > r.total then r.team else r.manager_team || ' leads' end as label,
               r.manager_team, r.manager_person_id as order_key
        from ranked r left join people up on up.person_id = r.manager_id
        where r.rank = 1
        union all
        select '{TOP_UNIT}', null, null, 'top of the organization', null, ''
        order by order_key""",
    )
    # order_key (the manager's roster id) breaks every tie, never unit_key: unit keys change with the
    # warehouse's pseudonym key, and the same input must give the same labels and the same release
    repeated = pl.col("label").count().over("label") > 1
    numbered = pl.col("label") + " " + (pl.col("order_key").rank("ordinal").over("label")).cast(pl.String)
    return tree.with_columns(label=pl.when(repeated).then(numbered).otherwise(pl.col("label")))


def _release_labels(tree: pl.DataFrame, into: dict[str, str]) -> pl.DataFrame:
    """units with release_unit and release_label: a unit released alone keeps its label; one that
    took in smaller units below it reads as its manager's org, with how many units it holds."""
    mapped = tree.with_columns(
        release_unit=pl.col("unit_key").replace_strict(into, default=pl.col("unit_key"))
    )
    sizes = mapped.group_by("release_unit").len("held")
    roots = mapped.select(
        pl.col("unit_key").alias("release_unit"),
        pl.col("label").alias("root_label"),
        "manager_team",
        "order_key",
    )
    labelled = (
        sizes.join(roots, on="release_unit", how="left")
        .with_columns(
            release_label=pl.when(pl.col("held") > 1)
            .then(
                pl.col("manager_team").fill_null("leadership")
                + " org ("
                + pl.col("held").cast(pl.String)
                + " teams)"
            )
            .otherwise(pl.col("root_label"))
        )
        .select("release_unit", "release_label", "order_key")
    )
    repeated = pl.col("release_label").count().over("release_label") > 1
    number = pl.col("order_key").rank("ordinal").over("release_label").cast(pl.String)
    labelled = labelled.with_columns(
        release_label=pl.when(repeated)
        .then(pl.col("release_label") + " #" + number)
        .otherwise(pl.col("release_label"))
    )
    labelled = labelled.drop("order_key")
    return (
        mapped.join(labelled, on="release_unit", how="left")
        .drop("manager_team", "order_key")
        .sort("unit_key")
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
               sum(pw.unpriced_tokens)::bigint as unpriced_tokens,
               count(*) filter (where ag.agent_prs > 0) as agent_people,
               coalesce(sum(ag.agent_prs), 0)::bigint as agent_merged_prs,
               coalesce(sum(ag.agent_unreviewed), 0)::bigint as agent_unreviewed,
               coalesce(sum(ag.agent_review_known), 0)::bigint as agent_review_known
        from fct_person_weeks pw join pu using (person_key)
        left join ({AGENT_PERSON_WEEKS}) ag using (person_key, week)
        group by all order by pu.unit_key, pw.week""",
    )


ORG = "organization"  # the unit key of the organization-wide cells


def _org_cells(unit_weeks: pl.DataFrame) -> pl.DataFrame:
    """The whole organization per week: the sum of every unit's cell, withheld or not. Releasing it
    adds nothing an attacker cannot already learn from the exact monthly spend, since secondary
    suppression makes what is withheld in each week a sum over at least k people."""
    measures = [
        c
        for c in ("people", "ai_users", *UNIT_MEASURES, *USAGE_MEASURES, *AGENT_MEASURES)
        if c in unit_weeks.columns
    ]
    return (
        unit_weeks.group_by("week")
        .agg(*[pl.col(c).sum() for c in measures])
        .with_columns(unit_key=pl.lit(ORG))
        .select("unit_key", "week", *measures)
        .sort("week")
    )


def _org_overlaps(units: pl.DataFrame) -> pl.DataFrame:
    return (
        units.group_by("knower", "week")
        .agg(pl.col("known_people").sum(), pl.col("known_ai").sum(), pl.col("known_agent").sum())
        .with_columns(unit_key=pl.lit(ORG))
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
        small = bool((people[unit][active] < k + 1).any()) or float(np.median(users[unit][active])) < k
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
    org_weeks = primary(_org_cells(unit_weeks), _org_overlaps(overlaps.units), k)
    # secondary suppression breaks ties by the manager's roster id, never by unit_key (see units())
    unit_weeks = unit_weeks.join(tree.select("unit_key", "order_key"), on="unit_key", how="left")
    unit_weeks = secondary_by_week(unit_weeks, overlaps.units, k, "people")
    unit_weeks = secondary_by_week(unit_weeks, overlaps.units, k, "usage")
    unit_weeks = secondary_by_week(unit_weeks, overlaps.units, k, "agent")
    unit_weeks, org_weeks = release_cost.add(con, unit_weeks, org_weeks, person_units, overlaps.known_sql, k)
    finance = _finance_months(con, k)
    tool_weeks = primary(_tool_cells(con), overlaps.tools, k)
    tool_weeks = secondary_tool_months(con, tool_weeks, finance, overlaps, k)
    return Release(
        k=k,
        units=_release_labels(tree, into),
        unit_weeks=_blank(unit_weeks.drop("order_key")),
        org_weeks=_blank(org_weeks).drop("unit_key"),
        tool_weeks=_blank(tool_weeks),
        finance_months=finance.select("month", "tool", "cost_micro_usd"),
    )


def _blank(cells: pl.DataFrame) -> pl.DataFrame:
    """Null every figure of a withheld cell: what is not released is not in the release at all."""
    # AI-user counts go with usage: a cell's AI users show only where its tokens and spend do
    people_cols = [c for c in ("people", "merged_prs", "closed_tickets") if c in cells.columns]
    usage_cols = [c for c in (*USAGE_MEASURES, "users", "ai_users", "useful_ai_people") if c in cells.columns]
    people_ok = pl.col("released_people") if "released_people" in cells.columns else pl.col("released")
    usage_ok = pl.col("released_usage") if "released_usage" in cells.columns else pl.col("released")
    agent_cols = [c for c in AGENT_MEASURES if c in cells.columns]
    return cells.with_columns(
        *[pl.when(people_ok).then(pl.col(c)).alias(c) for c in people_cols],
        *[pl.when(usage_ok).then(pl.col(c)).alias(c) for c in usage_cols],
        *[pl.when(pl.col("released_agent")).then(pl.col(c)).alias(c) for c in agent_cols],
    )


TABLES = (
    "release_units",
    "release_people",
    "release_unit_weeks",
    "release_tool_weeks",
    "release_finance_months",
)


def write(con: duckdb.DuckDBPyConnection) -> Release:
    """Build the release and publish it in the warehouse (the build calls this last): readers then
    read these tables, never the person-level marts, for any aggregate."""
    made = build(con)
    mapping = made.units.select("unit_key", "release_unit")
    people = frame(con, f"select * from ({_person_units(con, mapping)})").rename({"unit_key": "release_unit"})
    for name, table in {
        "release_units": made.units,
        "release_people": people,
        "release_unit_weeks": made.unit_weeks,
        "release_org_weeks": made.org_weeks,
        "release_tool_weeks": made.tool_weeks,
        "release_finance_months": made.finance_months,
    }.items():
        con.register("_release_frame", table.to_arrow())
        try:
            con.execute(f"create or replace table {name} as select * from _release_frame")
        finally:
            con.unregister("_release_frame")
    con.execute(f"create or replace table release_settings as select {made.k}::integer as k")
    return made


def read(con: duckdb.DuckDBPyConnection) -> Release:
    """The release a build published."""
    from pipelines.db import one

    (k,) = one(con, "select k from release_settings")
    return Release(
        k=int(k),
        units=frame(con, "select * from release_units order by unit_key"),
        unit_weeks=frame(con, "select * from release_unit_weeks order by unit_key, week"),
        org_weeks=frame(con, "select * from release_org_weeks order by week"),
        tool_weeks=frame(con, "select * from release_tool_weeks order by tool, week"),
        finance_months=frame(con, "select * from release_finance_months order by month, tool"),
    )
