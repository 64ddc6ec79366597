"""Person-level reads for the dashboard: a viewer's own weeks, a manager's direct reports one by one,
names of flagged people, and the audit log. Every read of a person is written to the audit log on
every call (outside the cache), and each goes through pipelines.privacy.views, which refuses anyone
the viewer may not see one by one."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.warehouse import Warehouse, current, cursor_for
from pipelines.metrics.filters import Filters
from pipelines.privacy import audit, audit_key, views
from pipelines.privacy import viewer as viewers
from pipelines.privacy.viewer import Viewer
from pipelines.settings import settings


@st.cache_data(show_spinner=False, max_entries=256)
def _names(warehouse: Warehouse, who: Viewer, keys: tuple[str, ...]) -> dict[str, str]:
    with cursor_for(warehouse) as cursor:
        return {key: views.person_name(cursor, who, key) for key in keys}


def names(who: Viewer, keys: tuple[str, ...]) -> dict[str, str]:
    """Names of people the viewer may see as individuals (AccessDenied for anyone else); audited."""
    shown = _names(current(), who, keys)
    _audit(who, "view: tokenmaxxing flags", list(keys))
    return shown


@st.cache_data(show_spinner=False, max_entries=64)
def _direct_reports(warehouse: Warehouse, who: Viewer) -> pl.DataFrame:
    with cursor_for(warehouse) as cursor:
        return views.direct_reports(cursor, who)


def direct_reports(who: Viewer) -> pl.DataFrame:
    """The viewer's direct reports by name (never ranked); the view is audited."""
    reports = _direct_reports(current(), who)
    _audit(who, "view: direct reports", list(reports["person_key"]) if reports.height else [])
    return reports


@st.cache_data(show_spinner=False, max_entries=256)
def _person_weekly(warehouse: Warehouse, who: Viewer, person_key: str, filters: Filters) -> pl.DataFrame:
    with cursor_for(warehouse) as cursor:
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
