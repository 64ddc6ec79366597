"""A viewer's estimates: the analytics of docs/methods.md over person-weeks, under one rule.

Every estimate is computed on a view that scope.check_estimate() allowed (the people behind it,
and those it leaves out of the viewer's scope, are each none or at least k); tables of groups
hide groups under k people (by team with complementary suppression, deciles all or none), and no
axis end, bin edge or median shown is one person's value (density() bins people; deciles show
group medians only when every decile holds k people).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import polars as pl

from pipelines.metrics import analytics as analytics_review
from pipelines.metrics import headline
from pipelines.metrics.analytics.guardrails import overall as overall_guardrails
from pipelines.metrics.analytics.panel import panel_of
from pipelines.metrics.analytics.within import within_elasticity
from pipelines.metrics.filters import Filters
from pipelines.privacy import suppression
from pipelines.privacy.scope import check_estimate as check_selection
from pipelines.privacy.viewer import Viewer


@dataclass(frozen=True)
class Efficiency:
    """headline.Efficiency for a viewer: binned density instead of per-person means."""

    density: pl.DataFrame  # x_low, x_high (log10 tokens), y_low, y_high (merged PRs), people, suppressed
    deciles: pl.DataFrame
    top: headline.estimates.TopDecile
    elasticity: headline.estimates.Estimate
    sentence: str
    ai_users: int
    k: int


def efficiency(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> Efficiency:
    view = check_selection(con, viewer, filters)
    eff = headline.efficiency(con, view)
    k = viewer.k
    deciles, top, sentence = eff.deciles, eff.top, eff.sentence
    if deciles.height and int(deciles["people"].min()) < k:
        # deciles are (almost) equal in size: one under k means every one is; nothing is shown
        deciles = deciles.with_columns(
            *[pl.lit(None, deciles[c].dtype).alias(c) for c in deciles.columns if c != "decile"],
            suppressed=pl.lit(True),
        )
        empty = headline.estimates.Estimate(None, None, 0, 0, top.token_multiple.method)
        top = headline.estimates.TopDecile(empty, empty)
        sentence = f"Too few AI users in this view for deciles of at least {k} people."
    elasticity = (
        eff.elasticity if eff.elasticity.groups >= k else replace(eff.elasticity, value=None, ci95=None)
    )
    return Efficiency(
        density=density(eff.means, k),
        deciles=deciles,
        top=top,
        elasticity=elasticity,
        sentence=sentence,
        ai_users=eff.means.height,
        k=k,
    )


def density(means: pl.DataFrame, k: int, x_step: float = 0.25, y_bins: int = 10) -> pl.DataFrame:
    """AI users counted in cells of log10(mean weekly tokens) x mean weekly merged PRs.

    The axes span the 2nd to 98th percentile (people beyond sit in the edge cells), so no axis
    end is one person's value; cells under k people are suppressed."""
    users = means.filter(pl.col("mean_weekly_tokens") > 0)
    schema = {
        "x_low": pl.Float64,
        "x_high": pl.Float64,
        "y_low": pl.Float64,
        "y_high": pl.Float64,
        "people": pl.Int64,
        "suppressed": pl.Boolean,
    }
    if users.height < k:
        return pl.DataFrame(schema=schema)
    x = np.log10(users["mean_weekly_tokens"].to_numpy().astype(float))
    y = users["mean_weekly_merged_prs"].to_numpy().astype(float)
    x_lo, x_hi = np.quantile(x, [0.02, 0.98])
    y_hi = float(np.quantile(y, 0.98)) or 1.0
    x_edges = np.arange(
        math.floor(x_lo / x_step) * x_step, math.ceil(x_hi / x_step) * x_step + x_step / 2, x_step
    )
    if len(x_edges) < 2:
        x_edges = np.array([x_edges[0], x_edges[0] + x_step])
    y_step = _nice_step(y_hi / y_bins)
    y_edges = np.arange(0.0, (math.floor(y_hi / y_step) + 1) * y_step + y_step / 2, y_step)
    xi = np.clip(np.searchsorted(x_edges, x, side="right") - 1, 0, len(x_edges) - 2)
    yi = np.clip(np.searchsorted(y_edges, y, side="right") - 1, 0, len(y_edges) - 2)
    counts = pl.DataFrame({"xi": xi, "yi": yi}).group_by("xi", "yi").len("people")
    out = counts.with_columns(
        x_low=pl.col("xi").map_elements(lambda i: float(x_edges[i]), return_dtype=pl.Float64),
        x_high=pl.col("xi").map_elements(lambda i: float(x_edges[i + 1]), return_dtype=pl.Float64),
        y_low=pl.col("yi").map_elements(lambda i: float(y_edges[i]), return_dtype=pl.Float64),
        y_high=pl.col("yi").map_elements(lambda i: float(y_edges[i + 1]), return_dtype=pl.Float64),
        people=pl.col("people").cast(pl.Int64),
    ).sort("xi", "yi")
    return suppression.cells(
        out.select("x_low", "x_high", "y_low", "y_high", "people"), k, ("x_low", "x_high", "y_low", "y_high")
    )


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


# ---- the analytics of docs/methods.md, for a viewer ----

LABELS = ("decile", "team", "event_time", "family", "formula", "parameters", "best", "spend")


def _groups(table: pl.DataFrame, k: int) -> pl.DataFrame:
    """Suppress a table of groups: by team with complementary suppression, by decile all-or-none
    (deciles are equal in size), anything else cell by cell."""
    if "people" not in table.columns or table.is_empty():
        return table
    keep = tuple(c for c in LABELS if c in table.columns)
    if "team" in table.columns:
        return suppression.complementary(table.sort("team"), k, keep)
    if "decile" in table.columns and int(table["people"].min()) < k:
        return suppression.cells(table.with_columns(people=pl.lit(0, table["people"].dtype)), k, keep)
    return suppression.cells(table, k, keep)


def _estimate(estimate: headline.estimates.Estimate, k: int) -> headline.estimates.Estimate:
    people = estimate.people if estimate.people is not None else estimate.groups
    return estimate if people >= k else replace(estimate, value=None, ci95=None)


def analytics(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> analytics_review.Review:
    """pipelines.metrics.analytics.review() for a viewer: every table of groups suppressed under k
    people, estimates over fewer than k people withheld, and tokenmaxxing flags on individuals
    kept only for people the viewer may see (themself, their direct reports), in name-free form."""
    view = check_selection(con, viewer, filters)
    review = analytics_review.review(con, view)
    k = viewer.k

    def tables(obj: object) -> object:
        changes = {
            name: _groups(value, k) if isinstance(value, pl.DataFrame) else _estimate(value, k)
            for name, value in vars(obj).items()
            if isinstance(value, pl.DataFrame | headline.estimates.Estimate)
        }
        return replace(obj, **changes)

    flags = review.tokenmaxxing.people
    visible = flags.filter(pl.col("person_key").is_in(list(viewer.visible_people())))
    return replace(
        review,
        elasticities=tables(review.elasticities),
        event_study=tables(review.event_study),
        cohorts=tables(review.cohorts),
        curves=replace(review.curves, marginal=_groups(review.curves.marginal, k))
        if review.curves.people >= k
        else replace(
            review.curves,
            fits=review.curves.fits.clear(),
            marginal=review.curves.marginal.clear(),
            points=review.curves.points.clear(),
            best=None,
        ),
        costs=tables(review.costs),
        marginal_cost_within=_groups(review.marginal_cost_within, k),
        guardrails=tables(review.guardrails),
        tokenmaxxing=_flags(review.tokenmaxxing, visible, k),
    )


FLAG_FIGURES = ("flagged_share", "flagged_share_low", "flagged_share_high", "flagged_cost_usd", "burst_share")


def _flags(
    flags: analytics_review.Tokenmaxxing, visible: pl.DataFrame, k: int
) -> analytics_review.Tokenmaxxing:
    """Tokenmaxxing flags for a viewer. A flag is about people's weeks, so a team's flagged spend is
    shown only when at least k of its people are flagged (a team with one flagged person would name
    that person's spend); the teams withheld together hold k flagged people (or every flagged team
    is withheld), so the overall share cannot be differenced down to one team. The overall share
    needs k flagged people too. Rows of the people themselves: only those the viewer may see."""
    counts = flags.people.filter(pl.col("flagged_cost_usd") > 0).group_by("team").agg(flagged_people=pl.len())
    by_team = _groups(flags.by_team, k)
    if by_team.height:
        by_team = by_team.join(counts, on="team", how="left").with_columns(
            pl.col("flagged_people").fill_null(0)
        )
        flagged = by_team.filter(pl.col("flagged_people") > 0)
        hidden = suppression.complementary(
            flagged.select("team", "flagged_people"), k, ("team",), people="flagged_people"
        ).filter("suppressed")["team"]
        mask = pl.col("team").is_in(hidden.implode())
        figures = [c for c in FLAG_FIGURES if c in by_team.columns]
        by_team = by_team.with_columns(
            *[pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c in figures]
        ).drop("flagged_people")
    share = flags.share
    if 0 < int(counts["flagged_people"].sum() if counts.height else 0) < k:
        share = replace(share, value=None, ci95=None)
    return replace(flags, by_team=by_team, people=visible.sort("person_key"), share=_estimate(share, k))


def elasticities(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters
) -> analytics_review.Elasticities:
    """Only the pooled and within-person elasticities (what the Efficiency page shows), for a viewer."""
    view = check_selection(con, viewer, filters)
    fitted = analytics_review.elasticities(analytics_review.panel(con, view))
    k = viewer.k
    return replace(
        fitted,
        pooled=_estimate(fitted.pooled, k),
        within=_estimate(fitted.within, k),
        within_effort=_estimate(fitted.within_effort, k),
    )


def within(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters, scope_panel: pl.DataFrame | None = None
) -> headline.estimates.Estimate:
    """The within-person elasticity alone: the one headline of every surface (wording.headline), for
    a viewer, under the same rule as elasticities(). `scope_panel`: as for guardrails()."""
    view = check_selection(con, viewer, filters, scope_panel)
    if scope_panel is not None and not view.tools:
        panel = panel_of(scope_panel, view)
    else:
        panel = analytics_review.panel(con, view)
    return _estimate(within_elasticity(panel), viewer.k)


def guardrails(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: Filters,
    overall_only: bool = False,
    scope_panel: pl.DataFrame | None = None,
) -> analytics_review.Guardrails:
    """The quality guardrails alone (shown beside every throughput figure), for a viewer;
    `overall_only`: the one row of the whole view (by team and by decile left empty);
    `scope_panel`: analytics.panel() of the viewer's whole scope over every week, which holds the
    view's rows (the dashboard keeps one per scope), used when there is no tool filter."""
    view = check_selection(con, viewer, filters, scope_panel)
    if scope_panel is not None and not view.tools:
        panel = panel_of(scope_panel, view)
    else:
        panel = analytics_review.panel(con, view)
    if overall_only:
        row = overall_guardrails(panel)
        fitted = analytics_review.Guardrails(by_decile=row.clear(), by_team=row.clear(), overall=row)
    else:
        fitted = analytics_review.guardrails(panel)
    k = viewer.k
    return replace(
        fitted,
        by_decile=_groups(fitted.by_decile, k),
        by_team=_groups(fitted.by_team, k),
        overall=_groups(fitted.overall, k),
    )
