"""The one filter value every query takes: period, teams and tools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

# the person_keys of one person's whole org: themself and everyone reporting to them at any depth
ORG_BELOW = """
    with recursive org(person_id) as (
        select person_id from dim_people where person_key = ?
        union
        select d.person_id from dim_people d join org on d.manager_id = org.person_id
    )
    select d.person_key from dim_people d semi join org using (person_id)
"""


# each person-week's unit: its release unit (pipelines/privacy/release.py), named by its label
UNITS = """join release_people rp on rp.person_key = pw.person_key
    join (select distinct release_unit, release_label from release_units) ru on ru.release_unit = rp.release_unit"""


def period_sql(start: date | None, end: date | None, column: str = "week") -> tuple[list[str], list[object]]:
    """WHERE conditions (and their parameters) for the weeks from `start` to `end` (None: open)."""
    where: list[str] = []
    params: list[object] = []
    if start:
        where.append(f"{column} >= ?")
        params.append(start)
    if end:
        where.append(f"{column} <= ?")
        params.append(end)
    return where, params


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # first week (Monday) in the view; None = the period's first week
    end: date | None = None  # last week (Monday) in the view; None = the period's last week
    # empty = every unit. A unit is a release unit of the org tree (pipelines/privacy/release.py),
    # named by its label: a team, or a manager's org that took in the smaller teams below it
    teams: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()  # empty = every tool
    # privacy scope, set by pipelines.privacy.views from the viewer, never by a page: the person_key
    # of a manager whose whole org (every level below, and themself) the view covers; None = everyone
    within: str | None = None
    # privacy scope too: only the person-weeks of unit-weeks the release shows with their usage
    # (pipelines/privacy/release.py), so that no estimate reaches a withheld cell
    released_only: bool = False

    def person_week_sql(self) -> tuple[str, list[object]]:
        """SQL for one row per person-week in view, with usage restricted to the chosen tools."""
        params: list[object] = []
        where = ["true"]
        if self.start:
            where.append("pw.week >= ?")
            params.append(self.start)
        if self.end:
            where.append("pw.week <= ?")
            params.append(self.end)
        if self.teams:
            where.append(f"ru.release_label in ({', '.join('?' for _ in self.teams)})")
            params.extend(self.teams)
        if self.within:
            where.append(f"pw.person_key in ({ORG_BELOW})")
            params.append(self.within)
        if self.released_only:
            where.append(
                "exists (select 1 from release_unit_weeks c where c.unit_key = rp.release_unit "
                "and c.week = pw.week and c.released_usage)"
            )
        if not self.tools:
            usage = (
                "pw.ai_rows, pw.ai_requests, pw.total_tokens, pw.cost_micro_usd, pw.unpriced_tokens, "
                "pw.cache_read_tokens, pw.cache_write_tokens"
            )
            joined = ""
        else:
            usage = (
                "coalesce(t.ai_rows, 0) as ai_rows, coalesce(t.ai_requests, 0) as ai_requests, "
                "coalesce(t.total_tokens, 0) as total_tokens, coalesce(t.cost_micro_usd, 0) as cost_micro_usd, "
                "coalesce(t.unpriced_tokens, 0) as unpriced_tokens, null::bigint as cache_read_tokens, "
                "null::bigint as cache_write_tokens"
            )
            joined = (
                "left join (select person_key, week, sum(ai_rows) as ai_rows, sum(ai_requests) as ai_requests, "
                "sum(total_tokens) as total_tokens, sum(cost_micro_usd) as cost_micro_usd, "
                "sum(unpriced_tokens) as unpriced_tokens from fct_person_week_tools "
                f"where tool in ({', '.join('?' for _ in self.tools)}) group by all) t "
                "on t.person_key = pw.person_key and t.week = pw.week"
            )
            params = list(self.tools) + params
        sql = (
            "select pw.person_key, ru.release_label as team, pw.week, "
            + usage
            + ", pw.merged_prs, pw.merged_additions, pw.merged_deletions, pw.closed_tickets, pw.closed_bug_tickets "
            + f"from fct_person_weeks pw {UNITS} {joined} where {' and '.join(where)}"
        )
        return sql, params

    def rows_in_view(self, scope_rows: pl.DataFrame) -> pl.DataFrame:
        """Rows (week, team) of a frame made for the view's whole scope over every week that fall in
        this view's weeks and units (a tool filter changes no row)."""
        rows = scope_rows
        if self.start:
            rows = rows.filter(pl.col("week") >= self.start)
        if self.end:
            rows = rows.filter(pl.col("week") <= self.end)
        return rows.filter(pl.col("team").is_in(list(self.teams))) if self.teams else rows
