"""The dashboard's aggregate figures for a viewer and view: cached calls, nothing computed here.

Every function takes the Viewer and goes through pipelines.privacy.views, which reads the release
and applies the privacy rules; results are cached on the warehouse file's identity
(dashboard/warehouse.py) and the Filters value. Person-level reads are in dashboard/person_data.py,
the Data page's in dashboard/build_data.py, the review pack's in dashboard/pack_data.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard.warehouse import Warehouse, current, cursor_for
from pipelines.metrics import changes, queries, released
from pipelines.metrics.agent_work import AgentWork, merged_prs
from pipelines.metrics.analytics import Elasticities, Guardrails, Review
from pipelines.metrics.analytics import panel as analytics_panel
from pipelines.metrics.estimates import Estimate
from pipelines.metrics.filters import Filters
from pipelines.metrics.people_cost import PeopleCost
from pipelines.metrics.queries import TREND_WEEKS as TREND_WEEKS  # the Overview's caption
from pipelines.metrics.queries import with_cost_trend
from pipelines.metrics.released import KeyFigures
from pipelines.privacy import viewer as viewers
from pipelines.privacy import views
from pipelines.privacy.viewer import Viewer
from pipelines.settings import settings


@dataclass(frozen=True)
class Excluded:
    """What is not in the figures: unmatched identities and bot PRs (whole build period)."""

    # queries.unmatched(): counts, and cost_usd in USD; None when the viewer may not see them
    # (views.unmatched: whole-organization viewers, and at least k identities)
    unmatched: dict[str, int | float] | None
    bot_logins: int
    bot_pull_requests: int
    bot_merged_prs: int


@st.cache_data(show_spinner=False)
def _teams(warehouse: Warehouse, who: Viewer) -> list[str]:
    with cursor_for(warehouse) as cursor:
        return views.teams(cursor, who)


def teams(who: Viewer) -> list[str]:
    """Teams the viewer may filter by: in their scope, each with at least k people."""
    return _teams(current(), who)


@st.cache_data(show_spinner=False)
def _tools(warehouse: Warehouse) -> pl.DataFrame:
    with cursor_for(warehouse) as cursor:
        return queries.tools(cursor)


def tools() -> pl.DataFrame:
    """One row per tool; reports_tokens is false for tools that report only activity."""
    return _tools(current())


@st.cache_data(show_spinner=False, max_entries=512)
def _weekly(warehouse: Warehouse, who: Viewer, filters: Filters) -> pl.DataFrame:
    loaded, scope = _release(warehouse), _scope_units(warehouse, who)
    with cursor_for(warehouse) as cursor:
        return views.weekly(cursor, who, filters, loaded, scope)


@st.cache_resource(show_spinner=False, max_entries=1)
def _release(warehouse: Warehouse) -> released.Loaded:
    """The release's cells, read once per warehouse file (a few hundred kB at 10,000 people)."""
    with cursor_for(warehouse) as cursor:
        return released.Loaded.read(cursor)


@st.cache_data(show_spinner=False, max_entries=256)
def _scope_units(warehouse: Warehouse, who: Viewer) -> pl.DataFrame:
    with cursor_for(warehouse) as cursor:
        return views.scope_units(cursor, who)


@st.cache_resource(show_spinner=False, max_entries=8)
def _scope_panel(warehouse: Warehouse, within: str | None) -> pl.DataFrame:
    """analytics.panel() of one scope over every week: a new unit or period selection of the
    guardrails and the estimate check is a filter of it. Read, never changed, so every session of
    the scope shares one copy (cache_data would unpickle one on every rerun)."""
    with cursor_for(warehouse) as cursor:
        return analytics_panel(cursor, Filters(within=within, released_only=True))


@st.cache_resource(show_spinner=False, max_entries=8)
def _scope_prs(warehouse: Warehouse, within: str | None) -> pl.DataFrame:
    """The merged PRs of one scope over every week, with origin and quality (agent work, which keeps
    those of its released agent cells): a new selection is a filter of them. Shared like _scope_panel."""
    with cursor_for(warehouse) as cursor:
        return merged_prs(cursor, Filters(within=within))


def _panel_for(warehouse: Warehouse, who: Viewer) -> pl.DataFrame:
    return _scope_panel(warehouse, who.aggregate_root)


def _reason(check: Callable[[], object]) -> str | None:
    """Why a check withholds the view (its message), or None when it passes."""
    try:
        check()
    except views.Withheld as error:
        return str(error)
    return None


@st.cache_data(show_spinner=False, max_entries=512)
def _check(warehouse: Warehouse, who: Viewer, filters: Filters) -> str | None:
    with cursor_for(warehouse) as cursor:
        return _reason(lambda: views.selected_units(cursor, who, filters, _scope_units(warehouse, who)))


def check(who: Viewer, filters: Filters) -> None:
    """Raise views.Withheld when the viewer may not see this view's aggregates at all (outside their
    scope, or a grain the release does not have)."""
    message = _check(current(), who, filters)
    if message:
        raise views.Withheld(message)


@st.cache_data(show_spinner=False, max_entries=512)
def _estimates_withheld(warehouse: Warehouse, who: Viewer, filters: Filters) -> str | None:
    with cursor_for(warehouse) as cursor:
        return _reason(lambda: views.check_selection(cursor, who, filters, _panel_for(warehouse, who)))


def estimates_withheld(who: Viewer, filters: Filters) -> str | None:
    """Why no estimate (headline, deciles, guardrails, agent work) may be shown for this view, or
    None: the released sums of the same view may still be (a small organization's weeks, say)."""
    return _estimates_withheld(current(), who, filters)


def weekly(who: Viewer, filters: Filters) -> pl.DataFrame:
    """One row per week in view, plus the rolling cost-per-merged-PR trend (suppressed weeks: null)."""
    return with_cost_trend(_weekly(current(), who, filters))


def key_figures(who: Viewer, filters: Filters) -> KeyFigures:
    """The Overview's key figures: sums over the view's released weeks (metrics/released.py)."""
    return released.key_figures(_weekly(current(), who, filters))


@st.cache_data(show_spinner=False, max_entries=256)
def _efficiency(warehouse: Warehouse, who: Viewer, filters: Filters) -> views.Efficiency:
    with cursor_for(warehouse) as cursor:
        return views.efficiency(cursor, who, filters)


def efficiency(who: Viewer, filters: Filters) -> views.Efficiency:
    """Deciles, top-decile multiples, the pooled elasticity and the binned density (no person)."""
    return _efficiency(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=128)
def _analytics(warehouse: Warehouse, who: Viewer, filters: Filters) -> Review:
    with cursor_for(warehouse) as cursor:
        return views.analytics(cursor, who, filters)


def analytics(who: Viewer, filters: Filters) -> Review:
    """Every estimate of docs/methods.md for the viewer: groups under k suppressed."""
    return _analytics(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _elasticities(warehouse: Warehouse, who: Viewer, filters: Filters) -> Elasticities:
    with cursor_for(warehouse) as cursor:
        return views.elasticities(cursor, who, filters)


def elasticities(who: Viewer, filters: Filters) -> Elasticities:
    """The pooled and within-person elasticities alone (cheaper than every analytic)."""
    return _elasticities(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _within(warehouse: Warehouse, who: Viewer, filters: Filters) -> Estimate:
    with cursor_for(warehouse) as cursor:
        return views.within(cursor, who, filters, _panel_for(warehouse, who))


def within(who: Viewer, filters: Filters) -> Estimate:
    """The within-person elasticity alone (the headline), fitted once per view."""
    return _within(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _guardrails(warehouse: Warehouse, who: Viewer, filters: Filters, overall_only: bool) -> Guardrails:
    scope = _panel_for(warehouse, who)
    with cursor_for(warehouse) as cursor:
        return views.guardrails(cursor, who, filters, overall_only, scope)


def guardrails(who: Viewer, filters: Filters, overall_only: bool = False) -> Guardrails:
    """The quality guardrails (reverts, PR size, time to merge, bug share) beside throughput;
    `overall_only` for the Overview, which shows the view's one row."""
    return _guardrails(current(), who, filters, overall_only)


@st.cache_data(show_spinner=False, max_entries=128)
def _people_cost(warehouse: Warehouse, who: Viewer, filters: Filters) -> PeopleCost:
    scope = _panel_for(warehouse, who)
    with cursor_for(warehouse) as cursor:
        return views.people_cost(cursor, who, filters, scope)


def people_cost(who: Viewer, filters: Filters) -> PeopleCost:
    """AI spend against people cost (pipelines/metrics/people_cost.py) for the viewer."""
    return _people_cost(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def _agent_work(warehouse: Warehouse, who: Viewer, filters: Filters) -> AgentWork | None:
    panel, prs = _panel_for(warehouse, who), _scope_prs(warehouse, who.aggregate_root)
    with cursor_for(warehouse) as cursor:
        return views.agent_work(
            cursor, who, filters, panel, prs, _release(warehouse), _scope_units(warehouse, who)
        )


def agent_work(who: Viewer, filters: Filters) -> AgentWork | None:
    """Agent-authored work in the view (pipelines/metrics/agent_work.py); None under k people."""
    return _agent_work(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _teams_table(warehouse: Warehouse, who: Viewer, filters: Filters) -> pl.DataFrame:
    with cursor_for(warehouse) as cursor:
        return views.teams_table(cursor, who, filters, _release(warehouse), _scope_units(warehouse, who))


def teams_table(who: Viewer, filters: Filters) -> pl.DataFrame:
    """One row per team, in name order; teams under k people (and their complements) suppressed."""
    return _teams_table(current(), who, filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _team_weekly(warehouse: Warehouse, who: Viewer, filters: Filters) -> pl.DataFrame:
    with cursor_for(warehouse) as cursor:
        return views.team_weekly(cursor, who, filters)


def team_weekly(who: Viewer, filters: Filters) -> pl.DataFrame:
    """Each team's weekly active rate; per week, complementary suppression across teams."""
    return _team_weekly(current(), who, filters)


@st.cache_data(show_spinner=False)
def _excluded(warehouse: Warehouse, who: Viewer) -> Excluded:
    with cursor_for(warehouse) as cursor:
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


# ---- the Teams page: one level of the viewer's org tree (pipelines/metrics/org_levels.py) ----


@st.cache_data(show_spinner=False, max_entries=256)
def _team_level(
    warehouse: Warehouse, who: Viewer, filters: Filters, path: tuple[str, ...]
) -> views.TeamLevel:
    with cursor_for(warehouse) as cursor:
        return views.team_level(cursor, who, filters, path)


def team_level(who: Viewer, filters: Filters, path: tuple[str, ...] = ()) -> views.TeamLevel:
    """The level reached by opening the orgs in `path` (unit keys) from the viewer's top: each org's
    figures are the sums of its units' released cells, rows in name order."""
    return _team_level(current(), who, filters, path)


# ---- what changed against the previous period (pipelines/metrics/changes.py): every page's lead ----


@st.cache_data(show_spinner=False, max_entries=256)
def _lead(warehouse: Warehouse, who: Viewer, filters: Filters, target: float) -> changes.Lead:
    with cursor_for(warehouse) as cursor:
        return views.lead(cursor, who, filters, target, _release(warehouse), _scope_units(warehouse, who))


def lead(who: Viewer, filters: Filters) -> changes.Lead:
    """The view against the previous period of the same length, from the viewer's release."""
    return _lead(current(), who, filters, adoption_target())
