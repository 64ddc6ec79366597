"""Person-level views: a viewer's own weeks and their direct reports' weeks, nothing else.

An individual sees their own weeks; a manager sees each direct report's own weeks, in name order,
never ranked by a figure. Every such read is audited by its caller (the dashboard's pages and the
CLI), through pipelines.privacy.audit.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.db import frame, one
from pipelines.metrics import queries
from pipelines.metrics.filters import period_sql
from pipelines.privacy.viewer import AccessDenied, Viewer


def person_weekly(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    person_key: str,
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """One person's weeks: only for themself or their direct manager."""
    if not viewer.may_see_person(person_key):
        raise AccessDenied("You can see your own data and your direct reports' data only.")
    period, period_params = period_sql(start, end)
    where, params = ["person_key = ?", *period], [person_key, *period_params]
    return frame(
        con,
        f"""select week, ai_rows > 0 as used_ai, total_tokens as tokens,
                   cost_micro_usd / {queries.MICRO} as cost_usd, merged_prs, closed_tickets,
                   ai_active_days
            from fct_person_weeks where {" and ".join(where)} order by week""",
        params,
    )


def direct_reports(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pl.DataFrame:
    """The viewer's direct reports with their totals, in name order (never ranked by a figure)."""
    if not viewer.reports:
        return pl.DataFrame(schema={"person_key": pl.String, "name": pl.String, "team": pl.String})
    marks = ", ".join("?" for _ in viewer.reports)
    return frame(
        con,
        f"""select p.person_key, p.name, p.team,
                   count(pw.week) as weeks, count(pw.week) filter (where pw.ai_rows > 0) as weeks_with_ai,
                   coalesce(sum(pw.total_tokens), 0)::bigint as tokens,
                   coalesce(sum(pw.cost_micro_usd), 0) / {queries.MICRO} as cost_usd,
                   coalesce(sum(pw.merged_prs), 0)::bigint as merged_prs
            from dim_people p left join fct_person_weeks pw using (person_key)
            where p.person_key in ({marks})
            group by all order by p.name, p.person_key""",
        list(viewer.reports),
    )


def person_name(con: duckdb.DuckDBPyConnection, viewer: Viewer, person_key: str) -> str:
    if not viewer.may_see_person(person_key):
        raise AccessDenied("You can see your own data and your direct reports' data only.")
    row = one(con, "select name from dim_people where person_key = ?", [person_key])
    return row[0] if row else person_key
