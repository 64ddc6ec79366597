"""The person-week panel every estimator of the review reads, in one query.

One row per person-week in view (pipelines.metrics.filters), keyed by person_key only, with the
effort (active days), the quality of the merged PRs (reverts) and the week the person first used AI.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.db import frame
from pipelines.metrics.filters import Filters

MICRO = 1_000_000  # micro-dollars per dollar


def panel(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """person_key, team, week, AI use (tokens, cost_usd), output (merged PRs, quality-adjusted merged
    PRs, reverted PRs, closed tickets, bug tickets), effort (active_days) and, over every week of the
    warehouse with any tool, each person's first AI week (`adopted`, null: never) and first week in scope."""
    sql, params = filters.person_week_sql()
    return frame(
        con,
        f"""
        with

        pw as ({sql}),

        quality as (
            select person_key, week,
                count(*) filter (where is_reverted) as reverted_prs,
                count(*) filter (where is_revert) as revert_prs,
                count(*) filter (where is_reverted or is_revert) as left_out_prs,
                sum(changed_lines)::bigint as changed_lines,
                count(changed_lines) as sized_prs,  -- PRs whose size the source gave
                sum(hours_to_merge) as hours_to_merge,
            from fct_merged_pull_requests
            semi join pw using (person_key, week)  -- only the person-weeks in view
            group by all
        ),

        adoption as (
            select person_key, min(week) filter (where ai_rows > 0) as adopted, min(week) as first_week,
            from fct_person_weeks
            semi join (select distinct person_key from pw) in_view using (person_key)  -- every week, people in view
            group by all
        ),

        final as (
            select
                pw.person_key, pw.team, pw.week,
                pw.ai_rows, pw.total_tokens as tokens, pw.cost_micro_usd / {MICRO} as cost_usd,
                pw.merged_prs, pw.closed_tickets, pw.closed_bug_tickets,
                coalesce(quality.reverted_prs, 0) as reverted_prs,
                coalesce(quality.revert_prs, 0) as revert_prs,
                pw.merged_prs - coalesce(quality.left_out_prs, 0) as quality_adjusted_merged_prs,
                coalesce(quality.changed_lines, 0) as changed_lines,
                coalesce(quality.sized_prs, 0) as sized_prs,
                coalesce(quality.hours_to_merge, 0) as hours_to_merge,
                coalesce(activity.active_days, 0) as active_days,
                coalesce(activity.ai_days, 0) as ai_days,
                coalesce(activity.ai_days_without_output, 0) as ai_days_without_output,
                activity.daily_token_cv,
                adoption.adopted, adoption.first_week,
            from pw
            left join quality using (person_key, week)
            left join fct_person_week_activity activity using (person_key, week)
            left join adoption using (person_key)
        )

        select * from final order by person_key, week
        """,
        params,
    )


def usage_deciles(panel: pl.DataFrame) -> pl.DataFrame:
    """person_key → decile (1..10) of AI users by mean weekly tokens over their weeks in view, as
    ntile(10) cuts them after ordering by (mean weekly tokens, person_key): the efficiency curve's deciles."""
    users = (
        panel.group_by("person_key")
        .agg(mean_weekly_tokens=pl.col("tokens").mean(), ai_rows=pl.col("ai_rows").sum())
        .filter(pl.col("ai_rows") > 0)
        .sort("mean_weekly_tokens", "person_key")
    )
    n = users.height
    size, extra = divmod(n, 10)
    labels = [d for d in range(1, 11) for _ in range(size + (1 if d <= extra else 0))]
    return users.select("person_key", decile=pl.Series(labels, dtype=pl.Int64))


def ratio_of_sums(
    panel: pl.DataFrame, by: list[str], numerator: str, denominator: str, name: str
) -> pl.DataFrame:
    """sum(numerator) / sum(denominator) per group, with a 95% interval clustered by person
    (delta method: var = G/(G-1) * sum over people of (num_i - R den_i)^2 / (sum den)^2).
    Columns: *by, people, `name`, `name`_low, `name`_high, and the two sums."""
    keys = by or ["all"]
    data = panel if by else panel.with_columns(all=pl.lit(1))
    per_person = data.group_by([*keys, "person_key"]).agg(
        num=pl.col(numerator).sum().cast(pl.Float64), den=pl.col(denominator).sum().cast(pl.Float64)
    )
    ratio = pl.when(pl.col("den").sum() > 0).then(pl.col("num").sum() / pl.col("den").sum())
    per_person = per_person.with_columns(ratio=ratio.over(keys))
    out = per_person.group_by(keys).agg(
        people=pl.len().cast(pl.UInt32),
        num=pl.col("num").sum(),
        den=pl.col("den").sum(),
        ratio=pl.col("ratio").first(),
        spread=((pl.col("num") - pl.col("ratio") * pl.col("den")) ** 2).sum(),
    )
    people = pl.col("people").cast(pl.Float64)
    se = pl.when(pl.col("people") > 1).then((pl.col("spread") * people / (people - 1)).sqrt() / pl.col("den"))
    out = out.with_columns(se=se).select(
        *by,
        "people",
        pl.col("ratio").alias(name),
        (pl.col("ratio") - 1.96 * pl.col("se")).clip(lower_bound=0).alias(f"{name}_low"),
        (pl.col("ratio") + 1.96 * pl.col("se")).alias(f"{name}_high"),
        pl.col("num").alias(numerator),
        pl.col("den").alias(denominator),
    )
    return out.sort(by) if by else out


def person_totals(panel: pl.DataFrame) -> pl.DataFrame:
    """One row per person (and team) with the sums of the panel's counts and money, and person_weeks:
    ratios of sums per group only need these, so they are computed once per review."""
    summed = [c for c, dtype in panel.schema.items() if dtype.is_numeric() and c not in ("daily_token_cv",)]
    return panel.group_by("person_key", "team").agg(
        *[pl.col(c).sum() for c in summed], person_weeks=pl.len().cast(pl.Int64)
    )


_VIEWS: dict[tuple[int, Filters], tuple[pl.DataFrame, pl.DataFrame]] = {}
VIEWS_KEPT = 64


def panel_of(scope_panel: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """panel(con, filters) from the panel of the filters' whole scope over every week (no tool
    filter): a row's figures, and a person's adoption week, do not depend on which other rows are
    in view, so the rows are the same. The last views cut from a scope panel are kept: one rerun's
    estimate check, headline, guardrails and people cost read the same rows."""
    key = (id(scope_panel), filters)
    kept = _VIEWS.get(key)
    if kept is not None and kept[0] is scope_panel:
        return kept[1]
    rows = filters.rows_in_view(scope_panel)
    if len(_VIEWS) >= VIEWS_KEPT:
        _VIEWS.pop(next(iter(_VIEWS)))
    _VIEWS[key] = (scope_panel, rows)
    return rows
