"""The only module that reads the warehouse: read-only, cached, through the metric functions.

The connection is cached per warehouse file (path, inode, mtime), so when a build atomically swaps
in a new file the next rerun opens it, and every query result is cached on that identity and the
Filters value. Each query runs on its own cursor: Streamlit runs sessions in threads.
Every function that returns figures about people takes the Viewer and goes through
pipelines.privacy.views, which applies the privacy rules; pages never touch the warehouse.
Person-level views are written to the audit log on every call (outside the cache).
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

from pipelines.csv_cells import neutral_frame
from pipelines.db import run
from pipelines.metrics import data_quality, queries, released
from pipelines.metrics.agent_work import AgentWork, merged_prs
from pipelines.metrics.analytics import Elasticities, Guardrails, Review
from pipelines.metrics.analytics import panel as analytics_panel
from pipelines.metrics.filters import Filters
from pipelines.metrics.people_cost import PeopleCost
from pipelines.metrics.queries import TREND_WEEKS as TREND_WEEKS  # the Overview's caption
from pipelines.metrics.queries import with_cost_trend
from pipelines.metrics.released import KeyFigures
from pipelines.privacy import audit, audit_key, views
from pipelines.privacy import viewer as viewers
from pipelines.privacy.viewer import Viewer
from pipelines.settings import settings
from pipelines.warehouse import WarehouseError, connect_read_only


@dataclass(frozen=True)
class Warehouse:
    """Identifies one warehouse file; a build that swaps in a new file changes inode or mtime."""

    path: str
    inode: int
    mtime_ns: int


@dataclass(frozen=True)
class Excluded:
    """What is not in the figures: unmatched identities and bot PRs (whole build period)."""

    # queries.unmatched(): counts, and cost_usd in USD; None when the viewer may not see them
    # (views.unmatched: whole-organization viewers, and at least k identities)
    unmatched: dict[str, int | float] | None
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
def _viewer(warehouse: Warehouse, email: str) -> Viewer:
    with _cursor(warehouse) as cursor:
        return viewers.resolve(cursor, email)


def viewer(email: str) -> Viewer:
    """The Viewer for a signed-in email; raises AccessDenied for someone who may see nothing."""
    return _viewer(current(), email)


@st.cache_data(show_spinner=False)
def _teams(warehouse: Warehouse, who: Viewer) -> list[str]:
    with _cursor(warehouse) as cursor:
        return views.teams(cursor, who)


def teams(who: Viewer) -> list[str]:
    """Teams the viewer may filter by: in their scope, each with at least k people."""
    return _teams(current(), who)


@st.cache_data(show_spinner=False)
def _tools(warehouse: Warehouse) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return queries.tools(cursor)


def tools() -> pl.DataFrame:
    """One row per tool; reports_tokens is false for tools that report only activity."""
    return _tools(current())


@st.cache_data(show_spinner=False, max_entries=512)
def _weekly(warehouse: Warehouse, who: Viewer, filters: Filters) -> pl.DataFrame:
    loaded, scope = _release(warehouse), _scope_units(warehouse, who)
    with _cursor(warehouse) as cursor:
        return views.weekly(cursor, who, filters, loaded, scope)


@st.cache_resource(show_spinner=False, max_entries=1)
def _release(warehouse: Warehouse) -> released.Loaded:
    """The release's cells, read once per warehouse file (a few hundred kB at 10,000 people)."""
    with _cursor(warehouse) as cursor:
        return released.Loaded.read(cursor)


@st.cache_data(show_spinner=False, max_entries=256)
def _scope_units(warehouse: Warehouse, who: Viewer) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return views.scope_units(cursor, who)


@st.cache_resource(show_spinner=False, max_entries=8)
def _scope_panel(warehouse: Warehouse, within: str | None) -> pl.DataFrame:
    """analytics.panel() of one scope over every week: a new unit or period selection of the
    guardrails and the estimate check is a filter of it. Read, never changed, so every session of
    the scope shares one copy (cache_data would unpickle one on every rerun)."""
    with _cursor(warehouse) as cursor:
        return analytics_panel(cursor, Filters(within=within, released_only=True))


@st.cache_resource(show_spinner=False, max_entries=8)
def _scope_prs(warehouse: Warehouse, within: str | None) -> pl.DataFrame:
    """The merged PRs of one scope over every week, with origin and quality (agent work): a new
    selection is a filter of them. Shared like _scope_panel."""
    with _cursor(warehouse) as cursor:
        return merged_prs(cursor, Filters(within=within, released_only=True))


def _panel_for(warehouse: Warehouse, who: Viewer) -> pl.DataFrame:
    return _scope_panel(warehouse, who.aggregate_root)


@st.cache_data(show_spinner=False, max_entries=512)
def _check(warehouse: Warehouse, who: Viewer, filters: Filters) -> str | None:
    with _cursor(warehouse) as cursor:
        try:
            views.check_selection(cursor, who, filters, _panel_for(warehouse, who))
        except views.Withheld as error:
            return str(error)
    return None


def check(who: Viewer, filters: Filters) -> None:
    """Raise views.Withheld when the viewer may not see this filtered view at all."""
    message = _check(current(), who, filters)
    if message:
        raise views.Withheld(message)


def weekly(who: Viewer, filters: Filters) -> pl.DataFrame:
    """One row per week in view, plus the rolling cost-per-merged-PR trend (suppressed weeks: null)."""
    return with_cost_trend(_weekly(current(), who, filters))


def key_figures(who: Viewer, filters: Filters) -> KeyFigures:
    """The Overview's key figures: sums over the view's released weeks (metrics/released.py)."""
    return released.key_figures(_weekly(current(), who, filters))


@st.cache_data(show_spinner=False, max_entries=256)
def _efficiency(warehouse: Warehouse, who: Viewer, filters: Filters) -> views.Efficiency:
    with _cursor(warehouse) as cursor:
        return views.efficiency(cursor, who, filters)


def efficiency(who: Viewer, filters: Filters) -> views.Efficiency:
    """Deciles, top-decile multiples, the pooled elasticity and the binned density (no person)."""
    return _efficiency(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=128)
def _analytics(warehouse: Warehouse, who: Viewer, filters: Filters) -> Review:
    with _cursor(warehouse) as cursor:
        return views.analytics(cursor, who, filters)


def analytics(who: Viewer, filters: Filters) -> Review:
    """Every estimate of docs/methods.md for the viewer: groups under k suppressed."""
    return _analytics(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _elasticities(warehouse: Warehouse, who: Viewer, filters: Filters) -> Elasticities:
    with _cursor(warehouse) as cursor:
        return views.elasticities(cursor, who, filters)


def elasticities(who: Viewer, filters: Filters) -> Elasticities:
    """The pooled and within-person elasticities alone (cheaper than every analytic)."""
    return _elasticities(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _guardrails(warehouse: Warehouse, who: Viewer, filters: Filters, overall_only: bool) -> Guardrails:
    scope = _panel_for(warehouse, who)
    with _cursor(warehouse) as cursor:
        return views.guardrails(cursor, who, filters, overall_only, scope)


def guardrails(who: Viewer, filters: Filters, overall_only: bool = False) -> Guardrails:
    """The quality guardrails (reverts, PR size, time to merge, bug share) beside throughput;
    `overall_only` for the Overview, which shows the view's one row."""
    return _guardrails(current(), who, filters, overall_only)


@st.cache_data(show_spinner=False, max_entries=128)
def _people_cost(warehouse: Warehouse, who: Viewer, filters: Filters) -> PeopleCost:
    scope = _panel_for(warehouse, who)
    with _cursor(warehouse) as cursor:
        return views.people_cost(cursor, who, filters, scope)


def people_cost(who: Viewer, filters: Filters) -> PeopleCost:
    """AI spend against people cost (pipelines/metrics/people_cost.py) for the viewer."""
    return _people_cost(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def _agent_work(warehouse: Warehouse, who: Viewer, filters: Filters) -> AgentWork | None:
    panel, prs = _panel_for(warehouse, who), _scope_prs(warehouse, who.aggregate_root)
    with _cursor(warehouse) as cursor:
        return views.agent_work(cursor, who, filters, panel, prs)


def agent_work(who: Viewer, filters: Filters) -> AgentWork | None:
    """Agent-authored work in the view (pipelines/metrics/agent_work.py); None under k people."""
    return _agent_work(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _names(warehouse: Warehouse, who: Viewer, keys: tuple[str, ...]) -> dict[str, str]:
    with _cursor(warehouse) as cursor:
        return {key: views.person_name(cursor, who, key) for key in keys}


def names(who: Viewer, keys: tuple[str, ...]) -> dict[str, str]:
    """Names of people the viewer may see as individuals (AccessDenied for anyone else); audited."""
    shown = _names(current(), who, keys)
    _audit(who, "view: tokenmaxxing flags", list(keys))
    return shown


@st.cache_data(show_spinner=False, max_entries=256)
def _teams_table(warehouse: Warehouse, who: Viewer, filters: Filters) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return views.teams_table(cursor, who, filters)


def teams_table(who: Viewer, filters: Filters) -> pl.DataFrame:
    """One row per team, in name order; teams under k people (and their complements) suppressed."""
    return _teams_table(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _team_weekly(warehouse: Warehouse, who: Viewer, filters: Filters) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return views.team_weekly(cursor, who, filters)


def team_weekly(who: Viewer, filters: Filters) -> pl.DataFrame:
    """Each team's weekly active rate; per week, complementary suppression across teams."""
    return _team_weekly(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def _direct_reports(warehouse: Warehouse, who: Viewer) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return views.direct_reports(cursor, who)


def direct_reports(who: Viewer) -> pl.DataFrame:
    """The viewer's direct reports by name (never ranked); the view is audited."""
    reports = _direct_reports(current(), who)
    _audit(who, "view: direct reports", list(reports["person_key"]) if reports.height else [])
    return reports


@st.cache_data(show_spinner=False, max_entries=256)
def _person_weekly(warehouse: Warehouse, who: Viewer, person_key: str, filters: Filters) -> pl.DataFrame:
    with _cursor(warehouse) as cursor:
        return views.person_weekly(cursor, who, person_key, filters.start, filters.end)


def person_weekly(who: Viewer, person_key: str, filters: Filters) -> pl.DataFrame:
    """One person's weeks, for themself or their direct manager; every call is audited."""
    frame_ = _person_weekly(current(), who, person_key, filters)
    _audit(who, "view: person weeks", [person_key])
    return frame_


def _audit(who: Viewer, action: str, subjects: list[str]) -> None:
    entries = [audit.Entry(who.email, who.role, action, key) for key in subjects]
    audit.record(settings().audit_path, entries)


def audit_log(who: Viewer, limit: int = 1_000) -> tuple[pl.DataFrame, tuple[bool, str]]:
    """The newest entries of the audit log and whether its hash chain is intact (admins only)."""
    if not who.is_admin:
        raise viewers.AccessDenied("Only admins can see the audit log.")
    path = settings().audit_path
    anchor = audit_key.warehouse_anchor(settings().warehouse_path)
    return audit.read(path, limit), audit.verify(path, [anchor])


@st.cache_data(show_spinner=False)
@st.cache_data(show_spinner=False)
def _excluded(warehouse: Warehouse, who: Viewer) -> Excluded:
    with _cursor(warehouse) as cursor:
        bots, unmatched = queries.bots(cursor), views.unmatched(cursor, who)
    return Excluded(
        unmatched=unmatched,
        bot_logins=bots.height,
        bot_pull_requests=int(bots["pull_requests"].sum()) if bots.height else 0,
        bot_merged_prs=int(bots["merged_prs"].sum()) if bots.height else 0,
    )


def excluded(who: Viewer) -> Excluded:
    """What no figure includes (whole build): shown to viewers of aggregates only."""
    if not who.sees_aggregates:
        raise viewers.AccessDenied("Organization figures need a manager, leader, analyst or admin role.")
    return _excluded(current(), who)


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
def _build_report(warehouse: Warehouse, who: Viewer) -> BuildReport:
    with _cursor(warehouse) as cursor:
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
    with _cursor(warehouse) as cursor:
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
    with _cursor(warehouse) as cursor:
        return neutral_frame(data_quality.quarantine(cursor, tables, reasons)).write_csv().encode()


def quarantine_csv(who: Viewer, tables: tuple[str, ...], reasons: tuple[str, ...]) -> bytes:
    """Every quarantined row of the chosen tables and reasons, as CSV (admins only)."""
    _admin(who)
    return _quarantine_csv(current(), tables, reasons)


# ---- the leadership review pack (pipelines/report/review.py), for the viewer's view ----

PACK_TYPES = {  # suffix -> MIME type of the download
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".html": "text/html",
}


@st.cache_data(show_spinner=False, max_entries=16)
def _pack_bytes(warehouse: Warehouse, who: Viewer, filters: Filters, suffix: str) -> bytes:
    import tempfile

    from pipelines.report import review, write

    with _cursor(warehouse) as cursor:
        pack = review.pack_for(cursor, who, filters)
    with tempfile.TemporaryDirectory(prefix="tokenyield-pack-") as folder:
        return write(pack, Path(folder) / f"review{suffix}").read_bytes()


def pack_bytes(who: Viewer, filters: Filters, suffix: str) -> bytes:
    """The review pack as .pdf, .pptx or .html bytes, with the viewer's privacy rules; audited."""
    if suffix not in PACK_TYPES:
        raise ValueError(f"a review pack is .pdf, .pptx or .html, not {suffix!r}")
    if not who.sees_aggregates:
        raise viewers.AccessDenied("The review pack needs a manager, leader, analyst or admin role.")
    made = _pack_bytes(current(), who, filters, suffix)
    audit.record(
        settings().audit_path, [audit.Entry(who.email, who.role, "export: review pack", detail=suffix)]
    )
    return made
