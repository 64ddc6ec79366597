"""The suppression rules of the release (release.py): primary, then secondary, on cell frames.

A "knower" is anyone who sees aggregates and also sees some people one by one: every leader,
analyst and admin in the roster, and every manager, each with themself and their direct reports.
Every knower is taken to see every cell (a manager really sees only their own org's cells): the
rules are then one set for everyone, at the price of withholding a little more.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.db import frame, one
from pipelines.privacy.access import Access

FEWER_PEOPLE = "fewer than {k} people"
FEWER_USERS = "fewer than {k} AI users"
FEWER_AGENT_USERS = "fewer than {k} people delegating to agents"
KNOWN = "a viewer who knows some of its people one by one could isolate fewer than {k}"
PROTECTS = "withheld with others so that what is withheld together covers at least {k} people"


@dataclass(frozen=True)
class Overlaps:
    """Per knower and cell, how many of the cell's people (AI users) the knower knows one by one."""

    units: pl.DataFrame  # knower, unit_key, week, known_people, known_ai, known_agent
    tools: pl.DataFrame  # knower, tool, week, known_users
    known_sql: str  # knower, person_key: who each knower knows one by one


def knower_overlaps(con: duckdb.DuckDBPyConnection, access: Access, person_units_sql: str) -> Overlaps:
    emails = sorted({*access.leaders, *access.analysts, *access.admins})
    marks = ", ".join("?" for _ in emails) or "null"
    knowers = f"""select k.person_key, k.person_id from dim_people k
                  where lower(k.email) in ({marks})
                     or exists (select 1 from dim_people r where r.manager_id = k.person_id)"""
    known = f"""with knowers as ({knowers})
                select k.person_key as knower, k.person_key from knowers k
                union all
                select k.person_key, r.person_key from knowers k
                join dim_people r on r.manager_id = k.person_id"""
    params = [e.lower() for e in emails]
    units = frame(
        con,
        f"""with known as ({known}), pu as ({person_units_sql}),
        ag as (select distinct person_key, week from fct_merged_pull_requests where is_agent)
        select known.knower, pu.unit_key, pw.week, count(*) as known_people,
               count(*) filter (where pw.ai_rows > 0) as known_ai,
               count(ag.person_key) as known_agent
        from fct_person_weeks pw join pu using (person_key) join known using (person_key)
        left join ag using (person_key, week)
        group by all""",
        params,
    )
    tools = frame(
        con,
        f"""with known as ({known})
        select known.knower, t.tool, t.week, count(distinct t.person_key) as known_users
        from fct_person_week_tools t join known using (person_key) where t.ai_rows > 0
        group by all""",
        params,
    )
    inlined = frame(con, f"select knower, person_key from ({known})", params)
    return Overlaps(units=units, tools=tools, known_sql=_values(inlined))


def _values(known: pl.DataFrame) -> str:
    """The knower pairs as an inline VALUES list (person_keys are hex digests: safe to inline)."""
    if known.is_empty():
        return "select null::varchar as knower, null::varchar as person_key where false"
    rows = ", ".join(f"('{a}', '{b}')" for a, b in known.iter_rows())
    return f"select * from (values {rows}) as known(knower, person_key)"


def _residual_small(count: str, known: str, k: int) -> pl.Expr:
    left = pl.col(count) - pl.col(known)
    return ((left > 0) & (left < k)).any()


def primary(cells: pl.DataFrame, overlaps: pl.DataFrame, k: int) -> pl.DataFrame:
    """Withhold cells under k people (unit cells: usage under k AI users too) and cells a knower
    could reduce below k. Adds released flags and the reason."""
    if "people" in cells.columns:
        keys = ["unit_key", "week"]
        risky = (
            cells.select(*keys, "people", "ai_users")
            .join(overlaps, on=keys, how="inner")
            .group_by(keys)
            .agg(
                known_people_risk=_residual_small("people", "known_people", k),
                known_ai_risk=_residual_small("ai_users", "known_ai", k),
            )
        )
        out = cells.join(risky, on=keys, how="left").with_columns(
            pl.col("known_people_risk", "known_ai_risk").fill_null(False)
        )
        few_people = pl.col("people") < k
        few_users = (pl.col("ai_users") > 0) & (pl.col("ai_users") < k)
        people_ok = ~few_people & ~pl.col("known_people_risk")
        usage_ok = people_ok & ~few_users & ~pl.col("known_ai_risk")
        reason = (
            pl.when(few_people)
            .then(pl.lit(FEWER_PEOPLE.format(k=k)))
            .when(pl.col("known_people_risk"))
            .then(pl.lit(KNOWN.format(k=k)))
            .when(few_users)
            .then(pl.lit(FEWER_USERS.format(k=k)))
            .when(pl.col("known_ai_risk"))
            .then(pl.lit(KNOWN.format(k=k)))
        )
        out = out.with_columns(released_people=people_ok, released_usage=usage_ok, reason=reason)
        return _agent_rule(out, overlaps, k).drop("known_people_risk", "known_ai_risk")
    keys = ["tool", "week"]
    risky = (
        cells.select(*keys, "users")
        .join(overlaps, on=keys, how="inner")
        .group_by(keys)
        .agg(known_risk=_residual_small("users", "known_users", k))
    )
    out = cells.join(risky, on=keys, how="left").with_columns(pl.col("known_risk").fill_null(False))
    few = pl.col("users") < k
    reason = (
        pl.when(few)
        .then(pl.lit(FEWER_USERS.format(k=k)))
        .when(pl.col("known_risk"))
        .then(pl.lit(KNOWN.format(k=k)))
    )
    return out.with_columns(released=~few & ~pl.col("known_risk"), reason=reason).drop("known_risk")


def _agent_rule(cells: pl.DataFrame, overlaps: pl.DataFrame, k: int) -> pl.DataFrame:
    """Agent-authored work of a unit-week shows where its people show and none or at least k of them
    delegated to agents, beyond anyone a knower knows one by one (release.AGENT_MEASURES)."""
    if "agent_people" not in cells.columns:
        return cells
    keys = ["unit_key", "week"]
    risky = (
        cells.select(*keys, "agent_people")
        .join(overlaps.select(*keys, "known_agent"), on=keys, how="inner")
        .group_by(keys)
        .agg(known_agent_risk=_residual_small("agent_people", "known_agent", k))
    )
    out = cells.join(risky, on=keys, how="left").with_columns(pl.col("known_agent_risk").fill_null(False))
    few = (pl.col("agent_people") > 0) & (pl.col("agent_people") < k)
    return out.with_columns(
        released_agent=pl.col("released_people") & ~few & ~pl.col("known_agent_risk"),
        reason=pl.col("reason").fill_null(
            pl.when(few | pl.col("known_agent_risk")).then(pl.lit(FEWER_AGENT_USERS.format(k=k)))
        ),
    ).drop("known_agent_risk")


def _hidden_safe(hidden: int, known: list[int], k: int) -> bool:
    """A withheld sum over `hidden` AI users is safe when, for nobody and for every knower, what is
    left after subtracting the people they know is none or at least k."""
    return all(not (0 < hidden - seen < k) for seen in [0, *known]) if hidden else True


def _week_safe(ai: dict[int, int], hidden: set[int], by_knower: dict[str, dict[int, int]], k: int) -> bool:
    total = sum(ai[i] for i in hidden)
    return _hidden_safe(total, [sum(m.get(i, 0) for i in hidden) for m in by_knower.values()], k)


def secondary_by_week(
    cells: pl.DataFrame, overlaps: pl.DataFrame, k: int, measure: str = "usage"
) -> pl.DataFrame:
    """Per week, withhold more unit cells (smallest count first) until what is withheld in that
    week covers none, or at least k, people beyond what any knower knows. `measure` "people"
    withholds whole cells, counted in people; "usage" withholds tokens and spend, counted in AI
    users; "agent" withholds agent-authored work, counted in people delegating to agents.
    Withholding a cell's people withholds its usage and agent work too."""
    flag, count, known_column = {
        "people": ("released_people", "people", "known_people"),
        "usage": ("released_usage", "ai_users", "known_ai"),
        "agent": ("released_agent", "agent_people", "known_agent"),
    }[measure]
    parts = []
    known = overlaps.select("knower", "unit_key", "week", known_column)
    order = "order_key" if "order_key" in cells.columns else "unit_key"  # ties: a key of the data
    for (week,), part in cells.sort(order).group_by("week", maintain_order=True):
        part = part.with_row_index("_i")
        hidden = set(part.filter(~pl.col(flag))["_i"].to_list())
        counts = dict(zip(part["_i"].to_list(), part[count].to_list(), strict=True))
        by_knower: dict[str, dict[int, int]] = {}
        week_known = known.filter(pl.col("week") == week).join(
            part.select("_i", "unit_key"), on="unit_key", how="inner"
        )
        for knower, i, n in week_known.select("knower", "_i", known_column).iter_rows():
            by_knower.setdefault(knower, {})[i] = n
        candidates = sorted((counts[i], i) for i in counts if i not in hidden and counts[i] > 0)

        added: list[int] = []
        while not _week_safe(counts, hidden, by_knower, k) and candidates:
            added.append(candidates.pop(0)[1])
            hidden.add(added[-1])
        if added:
            mark = pl.col("_i").is_in(added)
            withheld = [flag]
            if measure == "people":  # a cell without its people shows nothing else either
                withheld += [c for c in ("released_usage", "released_agent") if c in part.columns]
            part = part.with_columns(
                *[pl.when(mark).then(False).otherwise(pl.col(c)).alias(c) for c in withheld],
                reason=pl.when(mark).then(pl.lit(PROTECTS.format(k=k))).otherwise(pl.col("reason")),
            )
        parts.append(part.drop("_i"))
    return pl.concat(parts).sort("unit_key", "week") if parts else cells


def secondary_tool_months(
    con: duckdb.DuckDBPyConnection,
    cells: pl.DataFrame,
    finance: pl.DataFrame,
    overlaps: Overlaps,
    k: int,
) -> pl.DataFrame:
    """Withhold more tool-weeks until what is withheld together is safe, for each week (the
    organization's usage total is learnable from its exact monthly spend) and for each tool-month
    whose spend is released exactly. Unions of users come from the person-week-tool mart."""
    hidden = {(t, w) for t, w in cells.filter(~pl.col("released")).select("tool", "week").iter_rows()}
    users = {(t, w): n for t, w, n in cells.select("tool", "week", "users").iter_rows()}
    exact = {(t, m) for m, t in finance.filter(pl.col("tool") != "*").select("month", "tool").iter_rows()}

    def month_of(week: object) -> set[object]:
        from datetime import timedelta

        return {week.replace(day=1), (week + timedelta(days=6)).replace(day=1)}  # type: ignore[attr-defined]

    def groups() -> list[tuple[str, list[tuple[str, object]], list[tuple[str, object]]]]:
        """(name, withheld cells of the group, cells that may be withheld next) per linked sum."""
        found = []
        weeks = sorted({w for _, w in users})
        for week in weeks:
            members = [(t, w) for (t, w) in users if w == week]
            found.append(("week", [c for c in members if c in hidden], members))
        for tool, month in exact:
            members = [(t, w) for (t, w) in users if t == tool and month in month_of(w)]
            found.append(("tool-month", [c for c in members if c in hidden], members))
        return found

    changed = True
    while changed:
        changed = False
        for _, withheld, members in groups():
            if not withheld:
                continue
            while not _union_safe(con, overlaps, [c for c in members if c in hidden], k):
                rest = sorted((users[c], str(c[0]), c) for c in members if c not in hidden)
                if not rest:
                    break
                hidden.add(rest[0][2])
                changed = True
    keys = pl.DataFrame(
        [(t, w) for t, w in hidden], schema={"tool": pl.String, "week": cells["week"].dtype}, orient="row"
    ).with_columns(_hidden=pl.lit(True))
    out = cells.join(keys, on=["tool", "week"], how="left").with_columns(pl.col("_hidden").fill_null(False))
    newly = pl.col("_hidden") & pl.col("released")
    return out.with_columns(
        reason=pl.when(newly).then(pl.lit(PROTECTS.format(k=k))).otherwise(pl.col("reason")),
        released=~pl.col("_hidden"),
    ).drop("_hidden")


def _union_safe(
    con: duckdb.DuckDBPyConnection, overlaps: Overlaps, withheld: list[tuple[str, object]], k: int
) -> bool:
    if not withheld:
        return True
    rows = ", ".join("(?, ?)" for _ in withheld)
    params: list[object] = [v for cell in withheld for v in cell]
    union, per_knower = one(
        con,
        f"""with cells(tool, week) as (values {rows}),
            used as (select distinct t.person_key from fct_person_week_tools t
                     semi join cells c on c.tool = t.tool and c.week = t.week where t.ai_rows > 0),
            known as ({overlaps.known_sql})
            select (select count(*) from used),
                   coalesce((select list(n) from (select count(*) as n from used join known using (person_key)
                                                 group by known.knower)), [])""",
        params,
    ) or (0, [])
    return _hidden_safe(int(union), [int(n) for n in per_knower], k)
