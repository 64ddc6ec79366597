"""The aggregate figures of docs/metrics.md as sums of released cells (pipelines/privacy/release.py).

Every aggregate a viewer gets (weekly series, key figures, the units table, each unit's weeks,
`summary --as`, every export and the pack) is computed here, once, from the release: so no
combination of views can reveal more than the release itself. A withheld cell adds nothing to a
sum; `usage_coverage` says what share of the person-weeks shown have their spend in the sum, and
every ratio divides sums over the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from pipelines.db import frame
from pipelines.metrics.filters import period_sql

MICRO = 1_000_000  # micro-dollars per dollar

WEEKLY_SCHEMA = {
    "week": pl.Date,
    "people_in_scope": pl.Int64,
    "ai_users": pl.Int64,
    "weekly_active_rate": pl.Float64,
    "useful_ai_rate": pl.Float64,
    "tokens": pl.Int64,
    "cost_usd": pl.Float64,
    "unpriced_tokens": pl.Int64,
    "merged_prs": pl.Int64,
    "merged_prs_per_engineer_week": pl.Float64,
    "closed_tickets": pl.Int64,
    "cost_per_merged_pr": pl.Float64,
    "merged_prs_with_spend": pl.Int64,  # the merged PRs of the cells whose spend is released
    "usage_coverage": pl.Float64,
    "suppressed": pl.Boolean,
}


def unit_labels(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """release_unit, team (its label), in name order: what a unit filter offers."""
    return frame(
        con,
        "select distinct release_unit, release_label as team from release_units order by team, release_unit",
    )


def cells(
    con: duckdb.DuckDBPyConnection,
    units: Sequence[str] | None,
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """The released unit-week cells of `units` (None: every unit) in the period."""
    where, params = period_sql(start, end)
    if units is not None:
        where.append(f"unit_key in ({', '.join('?' for _ in units) or 'null'})")
        params += list(units)
    return frame(con, f"select * from release_unit_weeks where {' and '.join(['true', *where])}", params)


def org_cells(
    con: duckdb.DuckDBPyConnection, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """The organization-wide cells per week (exact wherever the organization's week is released)."""
    where, params = ["true"], []
    if start:
        where.append("week >= ?")
        params.append(start)
    if end:
        where.append("week <= ?")
        params.append(end)
    return frame(
        con,
        f"select 'organization' as unit_key, * from release_org_weeks where {' and '.join(where)}",
        params,
    )


@dataclass(frozen=True)
class Loaded:
    """The release's cells read once (the dashboard keeps one per warehouse file): a view's cells
    are then a filter in memory, the same rows cells() and org_cells() read."""

    unit_weeks: pl.DataFrame
    org_weeks: pl.DataFrame
    weeks: tuple[date, ...]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Loaded:
        units = cells(con, None)
        return cls(units, org_cells(con), tuple(sorted(units["week"].unique().to_list())))

    def cells(self, units: Sequence[str] | None, start: date | None, end: date | None) -> pl.DataFrame:
        rows = (
            self.org_weeks if units is None else self.unit_weeks.filter(pl.col("unit_key").is_in(list(units)))
        )
        if start:
            rows = rows.filter(pl.col("week") >= start)
        if end:
            rows = rows.filter(pl.col("week") <= end)
        return rows


def tool_cells(
    con: duckdb.DuckDBPyConnection, tools: Sequence[str], start: date | None, end: date | None
) -> pl.DataFrame:
    where, params = period_sql(start, end)
    marks = ", ".join("?" for _ in tools)
    return frame(
        con,
        f"select * from release_tool_weeks where {' and '.join([f'tool in ({marks})', *where])}",
        [*tools, *params],
    )


def _sums(cells_: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Sums over released cells: people measures over cells released for people, usage over cells
    released for usage, and output over the usage cells again for cost per merged PR."""
    people_ok, usage_ok = pl.col("released_people"), pl.col("released_usage")

    def over(ok: pl.Expr, column: str) -> pl.Expr:
        return pl.when(ok).then(pl.col(column)).otherwise(0).sum()

    return cells_.group_by(by).agg(
        people_in_scope=over(people_ok, "people"),
        ai_users=over(usage_ok, "ai_users"),
        useful=over(usage_ok, "useful_ai_people"),
        merged_prs=over(people_ok, "merged_prs"),
        closed_tickets=over(people_ok, "closed_tickets"),
        tokens=over(usage_ok, "tokens"),
        cost_micro=over(usage_ok, "cost_micro_usd"),
        unpriced_tokens=over(usage_ok, "unpriced_tokens"),
        usage_people=over(usage_ok, "people"),
        usage_merged=over(usage_ok, "merged_prs"),
        any_people=people_ok.any(),
        any_usage=usage_ok.any(),
    )


def _figures(sums: pl.DataFrame) -> pl.DataFrame:
    people, usage_people = pl.col("people_in_scope"), pl.col("usage_people")
    shown = pl.col("any_people")
    return sums.with_columns(
        # AI users are counted only in cells whose usage is released: rates over those cells' people
        weekly_active_rate=pl.when(usage_people > 0).then(pl.col("ai_users") / usage_people),
        useful_ai_rate=pl.when(usage_people > 0).then(pl.col("useful") / usage_people),
        merged_prs_per_engineer_week=pl.when(people > 0).then(pl.col("merged_prs") / people),
        cost_usd=pl.when(pl.col("any_usage")).then(pl.col("cost_micro") / MICRO),
        cost_per_merged_pr=pl.when(pl.col("usage_merged") > 0).then(
            pl.col("cost_micro") / MICRO / pl.col("usage_merged")
        ),
        usage_coverage=pl.when(people > 0).then(pl.col("usage_people") / people),
        merged_prs_with_spend=pl.when(pl.col("any_usage")).then(pl.col("usage_merged")),
        tokens=pl.when(pl.col("any_usage")).then(pl.col("tokens")),
        unpriced_tokens=pl.when(pl.col("any_usage")).then(pl.col("unpriced_tokens")),
        suppressed=~shown,
    ).with_columns(
        *[
            pl.when(shown).then(pl.col(c)).alias(c)
            for c in ("people_in_scope", "merged_prs", "closed_tickets")
        ],
        ai_users=pl.when(pl.col("any_usage")).then(pl.col("ai_users")),
    )


def weekly(cells_: pl.DataFrame, weeks: Sequence[date] = ()) -> pl.DataFrame:
    """One row per week (every week in `weeks`, even with nothing released): the Overview's figures."""
    if cells_.is_empty() and not weeks:
        return pl.DataFrame(schema=WEEKLY_SCHEMA)
    out = _figures(_sums(cells_, ["week"]))
    if weeks:
        out = pl.DataFrame({"week": list(weeks)}, schema={"week": pl.Date}).join(out, on="week", how="left")
        out = out.with_columns(pl.col("suppressed").fill_null(True))
    return out.select(list(WEEKLY_SCHEMA)).cast(WEEKLY_SCHEMA).sort("week")


def with_tools(weekly_: pl.DataFrame, tool_cells_: pl.DataFrame) -> pl.DataFrame:
    """The weekly series with usage from the chosen tools' released cells (organization-wide).
    AI users of a set of tools are not a sum of cells, so the active rate is left out."""
    usage = tool_cells_.group_by("week").agg(
        tokens=pl.when(pl.col("released")).then(pl.col("tokens")).otherwise(0).sum(),
        cost_micro=pl.when(pl.col("released")).then(pl.col("cost_micro_usd")).otherwise(0).sum(),
        any_usage=pl.col("released").any(),
    )
    out = weekly_.drop("tokens", "cost_usd", "cost_per_merged_pr").join(usage, on="week", how="left")
    return (
        out.with_columns(
            tokens=pl.when(pl.col("any_usage")).then(pl.col("tokens")),
            cost_usd=pl.when(pl.col("any_usage")).then(pl.col("cost_micro") / MICRO),
            unpriced_tokens=pl.lit(None, pl.Int64),
            merged_prs_with_spend=pl.when(pl.col("any_usage")).then(pl.col("merged_prs")),
            ai_users=pl.lit(None, pl.Int64),
            weekly_active_rate=pl.lit(None, pl.Float64),
            useful_ai_rate=pl.lit(None, pl.Float64),
            usage_coverage=pl.lit(None, pl.Float64),
        )
        .with_columns(
            cost_per_merged_pr=pl.when(pl.col("merged_prs") > 0).then(
                pl.col("cost_usd") / pl.col("merged_prs")
            )
        )
        .select(list(WEEKLY_SCHEMA))
        .cast(WEEKLY_SCHEMA)
        .sort("week")
    )


TEAM_COLUMNS = (
    "team",
    "people",
    "person_weeks",
    "active_rate_period",
    "active_rate_latest",
    "useful_ai_rate",
    "tokens",
    "cost_usd",
    "unpriced_tokens",
    "merged_prs",
    "merged_prs_per_engineer_week",
    "closed_tickets",
    "cost_per_merged_pr",
    "usage_coverage",
    "suppressed",
)


def _rows(cells_: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """The cells with their row's label: `members` maps each release_unit to a row (team)."""
    return cells_.join(members.select("release_unit", "team"), left_on="unit_key", right_on="release_unit")


def units_table(cells_: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """One row per unit over the period, in name order (labels: release_unit, team)."""
    return rows_table(cells_, labels)


def rows_table(cells_: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """One row per row of `members` (release_unit -> team: a unit, or an org of several) over the
    period, in name order: sums of its units' released cells. people and active_rate_latest are of
    its latest week with a released cell; reason: why a row with no released cell is withheld."""
    cells_ = _rows(cells_, members)
    if cells_.is_empty():
        return pl.DataFrame(schema={"team": pl.String, "suppressed": pl.Boolean, "reason": pl.String})
    sums = _figures(_sums(cells_, ["team"]))
    weeks = _figures(_sums(cells_, ["team", "week"]))
    latest = (
        weeks.filter(~pl.col("suppressed"))
        .sort("week")
        .group_by("team")
        .agg(
            people=pl.col("people_in_scope").last(),
            active_rate_latest=pl.col("weekly_active_rate").last(),
        )
    )
    reasons = cells_.group_by("team").agg(reason=pl.col("reason").filter(~pl.col("released_people")).min())
    table = sums.join(latest, on="team", how="left").join(reasons, on="team", how="left")
    return (
        table.with_columns(
            person_weeks=pl.col("people_in_scope"),
            active_rate_period=pl.col("weekly_active_rate"),
            reason=pl.when(pl.col("suppressed")).then(pl.col("reason")),
        )
        .select(*TEAM_COLUMNS, "reason")
        .sort("team")
    )


def unit_weekly(cells_: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """Each unit's weeks (labels: release_unit, team)."""
    return rows_weekly(cells_, labels)


def rows_weekly(cells_: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Each row's weeks (rows as in rows_table): its released people and active rate, null where
    nothing of the row is released; reason: why (the first of its withheld cells' reasons);
    teams_withheld: how many of its units' usage is withheld that week."""
    cells_ = _rows(cells_, members)
    schema = {
        "team": pl.String, "week": pl.Date, "people": pl.Int64, "weekly_active_rate": pl.Float64,
        "usage_coverage": pl.Float64, "suppressed": pl.Boolean, "reason": pl.String,
        "teams_withheld": pl.Int64,
    }  # fmt: skip
    if cells_.is_empty():
        return pl.DataFrame(schema=schema)
    weeks = _figures(_sums(cells_, ["team", "week"]))
    why = cells_.group_by("team", "week").agg(
        reason=pl.col("reason").filter(~pl.col("released_usage")).min(),
        teams_withheld=(~pl.col("released_usage")).sum(),
    )
    return (
        weeks.join(why, on=["team", "week"], how="left")
        .with_columns(people=pl.col("people_in_scope"))
        .select(list(schema))
        .cast(schema)
        .sort("week", "team")
    )


def finance_months(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Exact spend per calendar month, for the organization (tool "*") and per tool with k users."""
    return frame(
        con,
        f"select month, tool, cost_micro_usd / {MICRO} as cost_usd from release_finance_months order by month, tool",
    )


@dataclass(frozen=True)
class KeyFigures:
    """The Overview's key figures for a view: sums over its released weeks (the same sums `summary
    --as`, the exports and the pack print). cost_per_merged_pr divides spend by the merged PRs of
    the same cells (those whose spend is released)."""

    latest_week: date | None
    people_latest: int | None  # people in the latest released week
    ai_users_latest: int | None
    weekly_active_rate_latest: float | None
    useful_ai_rate: float | None  # engineer-weeks with AI use and output, over all engineer-weeks
    cost_usd: float
    tokens: int
    unpriced_tokens: int
    merged_prs: int
    closed_tickets: int
    person_weeks: int
    merged_prs_per_engineer_week: float | None
    cost_per_merged_pr: float | None
    usage_coverage: float | None  # share of the person-weeks shown whose spend is in cost_usd


def key_figures(weekly_: pl.DataFrame) -> KeyFigures:
    shown = weekly_.filter(~pl.col("suppressed"))
    if shown.is_empty():
        return KeyFigures(None, None, None, None, None, 0.0, 0, 0, 0, 0, 0, None, None, None)
    latest = shown.row(-1, named=True)
    person_weeks = int(shown["people_in_scope"].sum())
    merged = int(shown["merged_prs"].sum())
    return KeyFigures(
        latest_week=latest["week"],
        people_latest=latest["people_in_scope"],
        ai_users_latest=latest["ai_users"],
        weekly_active_rate_latest=latest["weekly_active_rate"],
        useful_ai_rate=_weighted(shown, "useful_ai_rate"),
        cost_usd=float(shown["cost_usd"].fill_null(0).sum()),
        tokens=int(shown["tokens"].fill_null(0).sum()),
        unpriced_tokens=int(shown["unpriced_tokens"].fill_null(0).sum()),
        merged_prs=merged,
        closed_tickets=int(shown["closed_tickets"].sum()),
        person_weeks=person_weeks,
        merged_prs_per_engineer_week=merged / person_weeks if person_weeks else None,
        cost_per_merged_pr=_cost_per_pr(shown),
        usage_coverage=_weighted(shown, "usage_coverage"),
    )


def _weighted(shown: pl.DataFrame, rate: str) -> float | None:
    """A weekly rate over the whole view, weighted by each week's people (a ratio of sums)."""
    rows = shown.filter(pl.col(rate).is_not_null())
    people = float(rows["people_in_scope"].sum()) if rows.height else 0.0
    return float((rows[rate] * rows["people_in_scope"]).sum()) / people if people else None


def _cost_per_pr(shown: pl.DataFrame) -> float | None:
    """Spend over the merged PRs of the same cells, summed over the weeks (a ratio of sums)."""
    merged = shown["merged_prs_with_spend"].fill_null(0).sum()
    return float(shown["cost_usd"].fill_null(0).sum()) / merged if merged else None
