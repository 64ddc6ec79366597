"""The Data page's reads: the build behind the warehouse (checks, freshness, coverage, row accounting)
and the quarantined rows (admins only, audited)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl
import streamlit as st

from dashboard.warehouse import Warehouse, current, cursor_for
from pipelines.csv_cells import neutral_frame
from pipelines.metrics import data_quality, queries
from pipelines.privacy import audit, views
from pipelines.privacy import viewer as viewers
from pipelines.privacy.viewer import Viewer
from pipelines.settings import settings


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
def _build_report(warehouse: Warehouse, who: Viewer) -> BuildReport:
    with cursor_for(warehouse) as cursor:
        return BuildReport(
            info=data_quality.build_info(cursor),
            suites=data_quality.validation_suites(cursor),
            checks=views.quality_checks(data_quality.validation_checks(cursor), who),
            freshness=data_quality.freshness(cursor),
            coverage=data_quality.coverage(cursor),
            tools=views.tools(cursor, who),
            unmatched=queries.unmatched_table(cursor),
            rows=data_quality.row_accounting(cursor),
            quarantine_reasons=data_quality.quarantine_reasons(cursor),
        )


def build_report(who: Viewer) -> BuildReport:
    """The Data page's report: leaders, analysts and admins; only admins get the unmatched
    identities by name (the rest see how many there are)."""
    if not who.sees_whole_org:
        raise viewers.AccessDenied("The Data page is for leaders, analysts and admins.")
    report = _build_report(current(), who)
    return report if who.is_admin else replace(report, unmatched=report.unmatched.clear())


@st.cache_data(show_spinner=False, max_entries=64)
def _quarantine(
    warehouse: Warehouse, tables: tuple[str, ...], reasons: tuple[str, ...], limit: int | None
) -> pl.DataFrame:
    with cursor_for(warehouse) as cursor:
        return data_quality.quarantine(cursor, tables, reasons, limit)


def quarantine(who: Viewer, tables: tuple[str, ...], reasons: tuple[str, ...], limit: int) -> pl.DataFrame:
    """The first `limit` quarantined rows of the chosen tables and reasons (admins only: raw rows
    may hold names and emails); audited."""
    _admin(who)
    shown = _quarantine(current(), tables, reasons, limit)
    what = f"tables {', '.join(tables) or 'all'}; reasons {', '.join(reasons) or 'all'}"
    audit.record(
        settings().audit_path, [audit.Entry(who.email, who.role, "view: quarantined rows", detail=what)]
    )
    return shown


def _admin(who: Viewer) -> None:
    if not who.is_admin:
        raise viewers.AccessDenied("Only admins can browse quarantined rows: they may hold names and emails.")


@st.cache_data(show_spinner=False, max_entries=16)
def _quarantine_csv(warehouse: Warehouse, tables: tuple[str, ...], reasons: tuple[str, ...]) -> bytes:
    with cursor_for(warehouse) as cursor:
        return neutral_frame(data_quality.quarantine(cursor, tables, reasons)).write_csv().encode()


def quarantine_csv(who: Viewer, tables: tuple[str, ...], reasons: tuple[str, ...]) -> bytes:
    """Every quarantined row of the chosen tables and reasons, as CSV (admins only)."""
    _admin(who)
    return _quarantine_csv(current(), tables, reasons)
