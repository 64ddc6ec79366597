"""A viewer's people-cost figures (pipelines/metrics/people_cost.py), under the usual rules.

The shares and the average people cost per merged PR are sums of released cells, read like every
other aggregate (aggregates.py): the organization's own cells for a whole-organization view, the
units in scope otherwise. The marginal cost through tokens comes from the spend-output curve fitted
on the view's released person-weeks (estimates.py's rule), shown only when the curve holds at least
k people and the deciles it is read at each hold k.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from pipelines.metrics import analytics as analytics_review
from pipelines.metrics import people_cost, released
from pipelines.metrics.analytics.panel import panel_of
from pipelines.metrics.filters import Filters
from pipelines.privacy.estimates import _groups
from pipelines.privacy.scope import Withheld, check_estimate, scope_units, selected_units
from pipelines.privacy.viewer import Viewer


def figures(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    scope_panel: pl.DataFrame | None = None,
) -> people_cost.PeopleCost:
    """People cost against AI spend for the view. A tool filter is ignored: people cost is not
    split by tool, so the figures are over every tool (the page says so)."""
    filters = replace(filters, tools=())
    scope = scope_units(con, viewer)
    units = selected_units(con, viewer, filters, scope)
    unit_cells = released.cells(con, units, filters.start, filters.end)
    whole = viewer.sees_whole_org and not filters.teams
    cells = released.org_cells(con, filters.start, filters.end) if whole else unit_cells
    weeks = sorted(unit_cells["week"].unique().to_list())
    labels = scope.filter(pl.col("release_unit").is_in(units))
    return people_cost.figures(
        cells,
        labels,
        _curve(con, viewer, filters, scope_panel),
        weeks,
        unit_cells,
        people_cost.unbanded_people(con),
    )


def _curve(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, scope_panel: pl.DataFrame | None
) -> analytics_review.CurveFits:
    try:
        view = check_estimate(con, viewer, filters, scope_panel)
    except Withheld:  # too few people for an estimate: the shares still show
        return analytics_review.CurveFits(pl.DataFrame(), pl.DataFrame(), pl.DataFrame(), None, 0)
    panel = panel_of(scope_panel, view) if scope_panel is not None else analytics_review.panel(con, view)
    fits = people_cost.fit_curve(panel)
    if fits.people < viewer.k:
        return replace(fits, best=None, parameters=(), covariance=(), marginal=fits.marginal.clear())
    return replace(fits, marginal=_groups(fits.marginal, viewer.k))
