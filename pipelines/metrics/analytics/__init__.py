"""Analytics that survive a leadership review (docs/methods.md).

`review(con, filters)` runs every estimate on one person-week panel and returns them together:
within-person vs pooled elasticity, the adoption event study, honest cohorts, diminishing-returns
curves, cost per outcome, quality guardrails and tokenmaxxing signals, each with its 95% interval,
a one-line method and a caveat. Per-person rows carry only person_key; every aggregate row carries
`people`, the number of distinct people behind it, for the privacy layer's k threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.metrics.analytics.cohorts import Cohorts, cohorts
from pipelines.metrics.analytics.costs import Costs, costs, within_marginal_cost
from pipelines.metrics.analytics.curves import CurveFits, curves, spend_output_means
from pipelines.metrics.analytics.event_study import EventStudy, event_study
from pipelines.metrics.analytics.guardrails import Guardrails, guardrails
from pipelines.metrics.analytics.panel import panel
from pipelines.metrics.analytics.references import REFERENCES, Reference
from pipelines.metrics.analytics.tokenmaxxing import Tokenmaxxing, tokenmaxxing
from pipelines.metrics.analytics.within import Elasticities, elasticities
from pipelines.metrics.filters import Filters

__all__ = [
    "REFERENCES",
    "Cohorts",
    "Costs",
    "CurveFits",
    "Elasticities",
    "EventStudy",
    "Guardrails",
    "Reference",
    "Review",
    "Tokenmaxxing",
    "cohorts",
    "costs",
    "curves",
    "elasticities",
    "event_study",
    "guardrails",
    "panel",
    "review",
    "spend_output_means",
    "tokenmaxxing",
]


@dataclass(frozen=True)
class Review:
    elasticities: Elasticities
    event_study: EventStudy
    cohorts: Cohorts
    curves: CurveFits
    costs: Costs
    marginal_cost_within: pl.DataFrame  # decile, people, marginal_cost, ci_low, ci_high (USD per merged PR)
    guardrails: Guardrails
    tokenmaxxing: Tokenmaxxing
    references: tuple[Reference, ...] = REFERENCES


def review(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, effort_control: bool = True
) -> Review:
    """Every estimate of docs/methods.md for the people and weeks in view."""
    frame = panel(con, filters or Filters())
    elastic = elasticities(frame, effort=effort_control)
    spend = costs(frame)
    fit = curves(spend_output_means(frame))
    return Review(
        elasticities=elastic,
        event_study=event_study(frame),
        cohorts=cohorts(frame),
        curves=fit,
        costs=spend,
        marginal_cost_within=within_marginal_cost(spend.by_decile, elastic.within.value, elastic.within.ci95),
        guardrails=guardrails(frame),
        tokenmaxxing=tokenmaxxing(frame, fit),
    )
