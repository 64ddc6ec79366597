"""A viewer's agent-authored work: pipelines/metrics/agent_work.py over the view's released agent cells.

The release (release.py, AGENT_MEASURES) shows a unit-week's or organization-week's agent work where
none or at least k of its people delegated to agents, with secondary suppression per week. The
figures here read the merged PRs of those cells only, so every count is a sum of released cells
and no two views subtract to a withheld one.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from pipelines.metrics import agent_work as agent_figures
from pipelines.metrics import released
from pipelines.metrics.agent_work import AgentWork
from pipelines.metrics.filters import Filters
from pipelines.privacy import suppression
from pipelines.privacy.scope import check_estimate as check_selection
from pipelines.privacy.scope import scope_units, selected_units
from pipelines.privacy.viewer import Viewer

AGENT_KEYS = (  # summary keys about agent-authored work: shown when k people or more delegate
    "agent_merged_prs_total",
    "agent_merged_pr_share",
    "agent_merged_pr_share_ci95",
    "merged_without_human_review_total",
    "merged_without_human_review_share",
)


def agent_work(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    scope_panel: pl.DataFrame | None = None,
    scope_prs: pl.DataFrame | None = None,
    loaded: released.Loaded | None = None,
    scope: pl.DataFrame | None = None,
) -> AgentWork | None:
    """pipelines.metrics.agent_work for a viewer, over the merged PRs of the view's cells whose agent
    work the release shows (release.AGENT_MEASURES: none or at least k people delegating, beyond
    anyone a knower knows, with secondary suppression per week): every count is then a sum of
    released cells, so no two views subtract to a withheld one. None when fewer than k people are
    credited with agent PRs in view; origins (agent vs human) under k people withheld all or none.
    `scope_panel`, `scope_prs`, `loaded`, `scope`: what the dashboard keeps read."""
    # the view's PRs in every unit-week, then only those of its released agent cells: never a subset
    # of a cell chosen by another release flag (released_only), which could leave part of a sum out
    view = replace(check_selection(con, viewer, filters, scope_panel), released_only=False)
    if scope_prs is not None:
        prs = agent_figures.prs_of(scope_prs, view)
    else:
        prs = agent_figures.merged_prs(con, view)
    work = agent_figures.of_prs(_in_agent_cells(prs, agent_cells(con, viewer, view, loaded, scope)))
    k = viewer.k
    if work.agent_people < k or work.people < k:
        return None
    return replace(
        work,
        by_origin=suppression.complementary(work.by_origin, k, ("origin",)),
        by_agent=suppression.complementary(work.by_agent, k, ("agent",)),
    )


def agent_cells(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    view: Filters,
    loaded: released.Loaded | None = None,
    scope: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """team (None: the whole organization's week), week: the view's cells whose agent work is released."""
    units = selected_units(con, viewer, view, scope)
    whole = viewer.sees_whole_org and not view.teams
    if loaded is not None:
        cells = loaded.cells(None if whole else units, view.start, view.end)
    elif whole:
        cells = released.org_cells(con, view.start, view.end)
    else:
        cells = released.cells(con, units, view.start, view.end)
    cells = cells.filter(pl.col("released_agent"))
    if whole:
        return cells.select(team=pl.lit(None, pl.String), week="week")
    labels = (scope if scope is not None else scope_units(con, viewer)).select(
        unit_key="release_unit", team="team"
    )
    return cells.join(labels, on="unit_key").select("team", "week")


def _in_agent_cells(prs: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    if cells.height and cells["team"].is_null().all():
        return prs.filter(pl.col("week").is_in(cells["week"].implode()))
    return prs.join(cells, on=["team", "week"], how="semi")
