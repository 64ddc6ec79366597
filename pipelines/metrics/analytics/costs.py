"""Cost per outcome: dollars per merged PR and per closed ticket, per usage decile and per team.

Each is a ratio of sums (all the spend of a group over all its output), never a mean of per-person
ratios, which a few people with one PR would dominate. Spend is the warehouse's cost: reported cost
where a tool reports it, else list prices per model (pipelines/prices.csv) with cache reads and cache
writes at their own prices (int_ai_usage_resolved_to_person_day).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.metrics.analytics.panel import person_totals, ratio_of_sums, usage_deciles

METHOD = (
    "Ratio of sums: total AI spend of the group ÷ its merged PRs (or closed tickets, or merged PRs not "
    "reverted); 95% interval by the delta method, clustered by person."
)
CAVEAT = (
    "Spend per outcome is not the cost of an outcome: people ship PRs without AI too, so these ratios "
    "describe spend intensity, and the within-person marginal cost is the one to compare with prices."
)
OUTCOMES = {
    "merged_prs": "cost_per_merged_pr",
    "closed_tickets": "cost_per_closed_ticket",
    "quality_adjusted_merged_prs": "cost_per_quality_adjusted_pr",
}


@dataclass(frozen=True)
class Costs:
    """Each frame: the group (decile / team / nothing), people, and per outcome its ratio with
    _low and _high, plus cost_usd and the outcome sums. Deciles cover AI users only."""

    by_decile: pl.DataFrame
    by_team: pl.DataFrame
    overall: pl.DataFrame
    method: str = METHOD
    caveat: str = CAVEAT


def _table(panel: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    tables = [ratio_of_sums(panel, by, "cost_usd", outcome, name) for outcome, name in OUTCOMES.items()]
    out = tables[0]
    for table in tables[1:]:
        out = (
            out.join(table.drop("people", "cost_usd"), on=by, how="left")
            if by
            else pl.concat([out, table.drop("people", "cost_usd")], how="horizontal")
        )
    return out


def costs(panel: pl.DataFrame) -> Costs:
    totals = person_totals(panel)
    with_decile = totals.join(usage_deciles(panel), on="person_key", how="inner")
    return Costs(
        by_decile=_table(with_decile, ["decile"]),
        by_team=_table(totals, ["team"]),
        overall=_table(totals, []),
    )


def within_marginal_cost(
    by_decile: pl.DataFrame, elasticity: float | None, ci95: tuple | None
) -> pl.DataFrame:
    """Marginal cost of one more merged PR per decile from the within-person elasticity:
    d output / d spend = elasticity × output / spend, so marginal cost = cost per merged PR ÷ elasticity.
    The interval divides by the elasticity's interval (none when that interval includes zero)."""
    if elasticity is None or elasticity <= 0 or by_decile.is_empty():
        return by_decile.select("decile", "people").with_columns(
            marginal_cost=pl.lit(None, pl.Float64),
            ci_low=pl.lit(None, pl.Float64),
            ci_high=pl.lit(None, pl.Float64),
        )
    low, high = ci95 if ci95 and ci95[0] > 0 else (None, None)
    return by_decile.select(
        "decile",
        "people",
        marginal_cost=pl.col("cost_per_merged_pr") / elasticity,
        ci_low=pl.col("cost_per_merged_pr") / high if high else pl.lit(None, pl.Float64),
        ci_high=pl.col("cost_per_merged_pr") / low if low else pl.lit(None, pl.Float64),
    )
