"""The figures of docs/metrics.md as queries on the marts. The dashboard and `summary` use these.

Every function takes a read-only connection and a Filters value and returns a polars frame.
No function returns names or emails: per-person rows carry only an opaque person_key.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.db import frame, one, run
from pipelines.metrics.filters import Filters

MICRO = 1_000_000  # micro-dollars per dollar
TREND_WEEKS = 4  # the cost-per-merged-PR trend is a rolling ratio over this many weeks

# The spend and output figures of docs/metrics.md, for any grouping of person-weeks (`pw`):
# totals, merged PRs per engineer-week (person-weeks in scope), cost per merged PR (a ratio of sums).
SPEND_AND_OUTPUT = f"""
    sum(total_tokens)::bigint as tokens,
    sum(cost_micro_usd) / {MICRO} as cost_usd,
    sum(unpriced_tokens)::bigint as unpriced_tokens,
    sum(merged_prs)::bigint as merged_prs,
    sum(merged_prs) / count(*) as merged_prs_per_engineer_week,
    sum(closed_tickets)::bigint as closed_tickets,
    case when sum(merged_prs) > 0 then sum(cost_micro_usd) / {MICRO} / sum(merged_prs) end as cost_per_merged_pr
"""


def period(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    return one(con, "select period_start, period_end from build_info")


def teams(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in run(con, "select distinct team from dim_people order by team")]


def tools(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(con, "select * from dim_tools order by tool")


def weekly(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """One row per week: adoption, tokens, spend and output of the people in view."""
    sql, params = filters.person_week_sql()
    return frame(
        con,
        f"""
        with pw as ({sql})
        select
            week,
            count(*) as people_in_scope,
            count(*) filter (where ai_rows > 0) as ai_users,
            count(*) filter (where ai_rows > 0) / count(*) as weekly_active_rate,
            {SPEND_AND_OUTPUT},
        from pw
        group by week
        order by week
        """,
        params,
    )


def with_cost_trend(weekly: pl.DataFrame, weeks: int = TREND_WEEKS) -> pl.DataFrame:
    """Spend over merged PRs of the last `weeks` weeks (a ratio of sums, not a mean of ratios)."""
    spend = pl.col("cost_usd").rolling_sum(weeks, min_samples=1)
    merged = pl.col("merged_prs").cast(pl.Float64).rolling_sum(weeks, min_samples=1)
    return weekly.sort("week").with_columns(
        cost_per_merged_pr_rolling=pl.when(merged > 0).then(spend / merged).otherwise(None)
    )


def person_means(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """One row per AI user in view: mean weekly tokens and merged PRs over their weeks in scope."""
    sql, params = filters.person_week_sql()
    return frame(
        con,
        f"""
        with pw as ({sql})
        select
            person_key,
            any_value(team) as team,
            count(*) as weeks_in_scope,
            avg(total_tokens) as mean_weekly_tokens,
            avg(merged_prs) as mean_weekly_merged_prs,
            sum(cost_micro_usd) / {MICRO} as cost_usd,
            sum(merged_prs)::bigint as merged_prs,
        from pw
        group by person_key
        having sum(ai_rows) > 0
        order by mean_weekly_tokens, person_key
        """,
        params,
    )


def deciles(means: pl.DataFrame) -> pl.DataFrame:
    """Equal-count deciles of AI users by mean weekly tokens (ties broken by person_key), each
    decile's median tokens and output relative to the median over all AI users."""
    if means.is_empty():
        return pl.DataFrame(
            schema={
                "decile": pl.Int64,
                "people": pl.UInt32,
                "median_weekly_tokens": pl.Float64,
                "median_weekly_merged_prs": pl.Float64,
                "token_multiple": pl.Float64,
                "output_multiple": pl.Float64,
                "cost_per_merged_pr": pl.Float64,
            }
        )
    ranked = means.sort(["mean_weekly_tokens", "person_key"]).with_columns(decile=_ntile(means.height, 10))
    median_tokens = ranked["mean_weekly_tokens"].median()
    median_output = ranked["mean_weekly_merged_prs"].median()
    out = (
        ranked.group_by("decile")
        .agg(
            people=pl.len(),
            median_weekly_tokens=pl.col("mean_weekly_tokens").median(),
            median_weekly_merged_prs=pl.col("mean_weekly_merged_prs").median(),
            cost_usd=pl.col("cost_usd").sum(),
            merged_prs=pl.col("merged_prs").sum(),
        )
        .sort("decile")
        .with_columns(
            token_multiple=pl.col("median_weekly_tokens") / median_tokens if median_tokens else pl.lit(None),
            output_multiple=pl.col("median_weekly_merged_prs") / median_output
            if median_output
            else pl.lit(None),
            cost_per_merged_pr=pl.when(pl.col("merged_prs") > 0).then(
                pl.col("cost_usd") / pl.col("merged_prs")
            ),
        )
    )
    return out.drop("cost_usd", "merged_prs").cast(
        {"token_multiple": pl.Float64, "output_multiple": pl.Float64}
    )


def _ntile(n: int, buckets: int) -> pl.Series:
    """SQL ntile(): the first n % buckets groups get one extra row."""
    size, extra = divmod(n, buckets)
    labels: list[int] = []
    for bucket in range(1, buckets + 1):
        labels += [bucket] * (size + (1 if bucket <= extra else 0))
    return pl.Series("decile", labels, dtype=pl.Int64)


def teams_table(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """One row per team: the Overview figures side by side."""
    sql, params = filters.person_week_sql()
    return frame(
        con,
        f"""
        with pw as ({sql}),
        last_week as (select max(week) as week from pw)
        select
            team,
            count(distinct person_key) as people,
            count(*) as person_weeks,
            count(*) filter (where ai_rows > 0) / count(*) as active_rate_period,
            count(*) filter (where ai_rows > 0 and week = (select week from last_week))
                / nullif(count(*) filter (where week = (select week from last_week)), 0) as active_rate_latest,
            {SPEND_AND_OUTPUT},
        from pw
        group by team
        order by team
        """,
        params,
    )


def elasticity_sample(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Person-weeks with tokens > 0: the sample of the pooled elasticity."""
    sql, params = filters.person_week_sql()
    return frame(
        con,
        f"with pw as ({sql}) select person_key, team, week, total_tokens, merged_prs from pw where total_tokens > 0 "
        "order by person_key, week",
        params,
    )


def unmatched(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What identities that match nobody carry; it is left out of every other figure."""
    row = one(
        con,
        f"""
        select count(distinct source || ':' || identity_key), coalesce(sum(tokens), 0),
               coalesce(sum(cost_micro_usd), 0) / {MICRO}, coalesce(sum(pull_requests), 0),
               coalesce(sum(merged_prs), 0), coalesce(sum(tickets), 0)
        from fct_unmatched_identities
        """,
    )
    keys = ("identities", "tokens", "cost_usd", "pull_requests", "merged_prs", "tickets")
    return {k: (float(v) if k == "cost_usd" else int(v)) for k, v in zip(keys, row, strict=True)}


def unmatched_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(
        con,
        f"select source, identity_key, rows, tokens, cost_micro_usd / {MICRO} as cost_usd, pull_requests, "
        "merged_prs, tickets, closed_tickets, last_seen_at from fct_unmatched_identities "
        "order by source, identity_key",
    )


def bots(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(con, "select * from fct_bot_pull_requests order by bot_login")


def build_rows(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(con, "select * from build_rows order by table_name")
