"""The only module that reads the warehouse: read-only, cached, through the metric functions.

The connection is cached per warehouse file (path, inode, mtime), so when a build atomically swaps
in a new file the next rerun opens it, and every query result is cached on that identity and the
Filters value. Each query runs on its own cursor: Streamlit runs sessions in threads.
A later privacy layer adds a `viewer` argument here; pages never touch the warehouse themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from pipelines.db import run
from pipelines.metrics import data_quality, headline, queries
from pipelines.metrics.filters import Filters
from pipelines.settings import settings
from pipelines.warehouse import WarehouseError, connect_read_only

TREND_WEEKS = 4  # the cost-per-merged-PR trend is a rolling ratio over this many weeks


@dataclass(frozen=True)
class Warehouse:
    """Identifies one warehouse file; a build that swaps in a new file changes inode or mtime."""

    path: str
    inode: int
    mtime_ns: int


@dataclass(frozen=True)
class KeyFigures:
    """The Overview's key figures for the view, with the definitions of headline.summary()."""

    latest_week: date | None
    weekly_active_rate_latest: float | None
    cost_usd: float
    tokens: int
    unpriced_tokens: int
    merged_prs: int
    person_weeks: int
    merged_prs_per_engineer_week: float | None
    cost_per_merged_pr: float | None


@dataclass(frozen=True)
class Excluded:
    """What is not in the figures: unmatched identities and bot PRs (whole build period)."""

    unmatched: dict[str, int | float]  # queries.unmatched(): counts, and cost_usd in USD
    bot_logins: int
    bot_pull_requests: int
    bot_merged_prs: int


def warehouse_path() -> Path:
    return settings().warehouse_path


def current() -> Warehouse:
    """The warehouse file as it is now; raises WarehouseError when there is none."""
    path = warehouse_path()
    try:
        stat = os.stat(path)
    except OSError:
        raise WarehouseError(f"No warehouse at {path} yet.") from None
    return Warehouse(str(path.resolve()), stat.st_ino, stat.st_mtime_ns)


@st.cache_resource(max_entries=1, show_spinner=False)
def _connection(warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    # max_entries=1: a swapped-in file evicts the old connection, which closes once unreferenced
    return connect_read_only(Path(warehouse.path))


@contextmanager
def _cursor(warehouse: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own for one query: sessions run in threads and share the connection."""
    cursor = _connection(warehouse).cursor()
    try:
        run(cursor, "set TimeZone = 'UTC'")  # a setting of each connection, not of the database
        yield cursor
    finally:
        cursor.close()


@st.cache_data(show_spinner=False)
def _weeks(warehouse: Warehouse) -> list[date]:
    with _cursor(warehouse) as cursor:
        start, end = queries.period(cursor)
    if start is None or end is None:
        return []
    return [start + timedelta(days=7 * i) for i in range((end - start).days // 7 + 1)]


def weeks() -> list[date]:
    """The Monday of every week in the warehouse's period."""
    return _weeks(current())


@st.cache_data(show_spinner=False)
def _teams(warehouse: Warehouse) -> list[str]:
    with _cursor(warehouse) as cursor:
        return queries.teams(cursor)


def teams() -> list[str]:
    return _teams(current())


@st.cache_data(show_spinner=False)
def _tools(warehouse: Warehouse) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return queries.tools(cursor)


def tools() -> pl.DataFrame:
    """One row per tool; reports_tokens is false for tools that report only activity."""
    return _tools(current())


@st.cache_data(show_spinner=False, max_entries=512)
def _weekly(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return queries.weekly(cursor, filters)


def weekly(filters: Filters) -> pl.DataFrame:
    """One row per week in view, plus the rolling cost-per-merged-PR trend."""
    return with_cost_trend(_weekly(current(), filters))


def with_cost_trend(weekly: pl.DataFrame, weeks: int = TREND_WEEKS) -> pl.DataFrame:
    """Spend over merged PRs of the last `weeks` weeks (a ratio of sums, not a mean of ratios)."""
    spend = pl.col("cost_usd").rolling_sum(weeks, min_samples=1)
    merged = pl.col("merged_prs").cast(pl.Float64).rolling_sum(weeks, min_samples=1)
    return weekly.sort("week").with_columns(
        cost_per_merged_pr_rolling=pl.when(merged > 0).then(spend / merged).otherwise(None)
    )


def key_figures(filters: Filters) -> KeyFigures:
    frame = _weekly(current(), filters)
    if frame.is_empty():
        return KeyFigures(None, None, 0.0, 0, 0, 0, 0, None, None)
    latest = frame.row(-1, named=True)
    cost, merged = float(frame["cost_usd"].sum()), int(frame["merged_prs"].sum())
    person_weeks = int(frame["people_in_scope"].sum())
    return KeyFigures(
        latest_week=latest["week"],
        weekly_active_rate_latest=latest["weekly_active_rate"],
        cost_usd=cost,
        tokens=int(frame["tokens"].sum()),
        unpriced_tokens=int(frame["unpriced_tokens"].sum()),
        merged_prs=merged,
        person_weeks=person_weeks,
        merged_prs_per_engineer_week=merged / person_weeks if person_weeks else None,
        cost_per_merged_pr=cost / merged if merged else None,
    )


@st.cache_data(show_spinner=False, max_entries=256)
def _efficiency(warehouse: Warehouse, filters: Filters) -> headline.Efficiency:
    with _cursor(warehouse) as cursor:
        return headline.efficiency(cursor, filters)


def efficiency(filters: Filters) -> headline.Efficiency:
    """Deciles, top-decile multiples and the elasticity. The per-person means keep only the two
    numbers the density bins (no id, no team), so no page holds a row that names a person."""
    eff = _efficiency(current(), filters)
    return replace(eff, means=eff.means.select("mean_weekly_tokens", "mean_weekly_merged_prs"))


@st.cache_data(show_spinner=False, max_entries=256)
def _teams_table(warehouse: Warehouse, filters: Filters) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return queries.teams_table(cursor, filters)


def teams_table(filters: Filters) -> pl.DataFrame:
    return _teams_table(current(), filters).sort("team")


def team_weekly(filters: Filters) -> pl.DataFrame:
    """weekly() for each team in view, stacked with a team column."""
    warehouse = current()
    names = filters.teams or tuple(_teams(warehouse))
    frames = [
        _weekly(warehouse, replace(filters, teams=(name,))).with_columns(team=pl.lit(name)) for name in names
    ]
    frames = [f for f in frames if f.height]
    return pl.concat(frames) if frames else pl.DataFrame(schema={"team": pl.String, "week": pl.Date})


@st.cache_data(show_spinner=False)
def _excluded(warehouse: Warehouse) -> Excluded:
    with _cursor(warehouse) as cursor:
        bots, unmatched = queries.bots(cursor), queries.unmatched(cursor)
    return Excluded(
        unmatched=unmatched,
        bot_logins=bots.height,
        bot_pull_requests=int(bots["pull_requests"].sum()) if bots.height else 0,
        bot_merged_prs=int(bots["merged_prs"].sum()) if bots.height else 0,
    )


def excluded() -> Excluded:
    return _excluded(current())


def adoption_target() -> float:
    return settings().adoption_target


@dataclass(frozen=True)
class BuildReport:
    """What the Data page shows about the build behind the warehouse (whole build, no filters)."""

    info: data_quality.BuildInfo
    suites: pl.DataFrame
    checks: pl.DataFrame
    freshness: pl.DataFrame
    coverage: data_quality.Coverage
    tools: pl.DataFrame
    unmatched: pl.DataFrame
    rows: pl.DataFrame
    quarantine_reasons: pl.DataFrame


@st.cache_data(show_spinner=False)
def _build_report(warehouse: Warehouse) -> BuildReport:
    with _cursor(warehouse) as cursor:
        return BuildReport(
            info=data_quality.build_info(cursor),
            suites=data_quality.validation_suites(cursor),
            checks=data_quality.validation_checks(cursor),
            freshness=data_quality.freshness(cursor),
            coverage=data_quality.coverage(cursor),
            tools=queries.tools(cursor),
            unmatched=queries.unmatched_table(cursor),
            rows=data_quality.row_accounting(cursor),
            quarantine_reasons=data_quality.quarantine_reasons(cursor),
        )


def build_report() -> BuildReport:
    return _build_report(current())


@st.cache_data(show_spinner=False, max_entries=64)
def _quarantine(
    warehouse: Warehouse, tables: tuple[str, ...], reasons: tuple[str, ...], limit: int | None
) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return data_quality.quarantine(cursor, tables, reasons, limit)


def quarantine(tables: tuple[str, ...], reasons: tuple[str, ...], limit: int) -> pl.DataFrame:
    """The first `limit` quarantined rows of the chosen tables and reasons (none chosen: all)."""
    return _quarantine(current(), tables, reasons, limit)


@st.cache_data(show_spinner=False, max_entries=16)
def _quarantine_csv(warehouse: Warehouse, tables: tuple[str, ...], reasons: tuple[str, ...]) -> bytes:
    with _cursor(warehouse) as cursor:
        return data_quality.quarantine(cursor, tables, reasons).write_csv().encode()


def quarantine_csv(tables: tuple[str, ...], reasons: tuple[str, ...]) -> bytes:
    """Every quarantined row of the chosen tables and reasons, as CSV."""
    return _quarantine_csv(current(), tables, reasons)
