"""The headline figures, as `summary --json` prints them and the dashboard shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from pipelines.db import one
from pipelines.metrics import agent_work, analytics, estimates, queries, wording
from pipelines.metrics.filters import Filters


@dataclass(frozen=True)
class Efficiency:
    means: pl.DataFrame
    deciles: pl.DataFrame
    top: estimates.TopDecile
    elasticity: estimates.Estimate

    @property
    def sentence(self) -> str:
        return headline_sentence(self.top)


def efficiency(con: duckdb.DuckDBPyConnection, filters: Filters) -> Efficiency:
    means = queries.person_means(con, filters)
    return Efficiency(
        means=means,
        deciles=queries.deciles(means),
        top=estimates.top_decile_multiples(means),
        elasticity=estimates.pooled_elasticity(queries.elasticity_sample(con, filters)),
    )


def headline_sentence(top: estimates.TopDecile) -> str:
    t, o = top.token_multiple, top.output_multiple
    if t.value is None or o.value is None:
        return "Too few AI users in this view for the decile comparison."
    tokens = f"The top 10% of AI users use {t.value:.1f}× the tokens of the median AI user"
    if o.ci95 and not wording.measurable(o, null=1.0):
        span = f" (95% interval {t.ci95[0]:.1f}–{t.ci95[1]:.1f}×)" if t.ci95 else ""
        output = wording.describe_effect(
            o, "merged PRs between them and the median AI user", fmt=wording.multiple, null=1.0
        )
        return f"{tokens}{span}. {output} Jellyfish (2026) found about 10× for 2×."
    text = f"{tokens} for {o.value:.1f}× the output"
    if t.ci95 and o.ci95:
        text += f" (95% intervals {t.ci95[0]:.1f}–{t.ci95[1]:.1f}× and {o.ci95[0]:.1f}–{o.ci95[1]:.1f}×)"
    return text + ". Jellyfish (2026) found about 10× for 2×."


def summary(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, object]:
    """Every key `summary --json` promises (docs/metrics.md)."""
    filters = filters or Filters()
    weeks = queries.weekly(con, filters)
    eff = efficiency(con, filters)
    start, end = queries.period(con)
    if filters.start:
        start = max(start, filters.start) if start else filters.start
    if filters.end:
        end = min(end, filters.end) if end else filters.end
    people = _scalar(con, filters, "count(distinct person_key)")
    ai_users = eff.means.height
    tokens = int(weeks["tokens"].sum()) if weeks.height else 0
    cost = float(weeks["cost_usd"].sum()) if weeks.height else 0.0
    merged = int(weeks["merged_prs"].sum()) if weeks.height else 0
    closed = int(weeks["closed_tickets"].sum()) if weeks.height else 0
    latest = weeks.row(-1, named=True) if weeks.height else None
    unmatched = queries.unmatched(con)
    estimates_shown, within = _analytics(con, filters)
    return {
        "people": people,
        "ai_users": ai_users,
        "weekly_active_rate_latest": latest["weekly_active_rate"] if latest else None,
        "tokens_total": tokens,
        "unpriced_tokens_total": int(weeks["unpriced_tokens"].sum()) if weeks.height else 0,
        "cost_usd_total": round(cost, 2),
        "merged_prs_total": merged,
        "closed_tickets_total": closed,
        "cost_per_merged_pr": round(cost / merged, 2) if merged else None,
        "top_decile_token_multiple": eff.top.token_multiple.value,
        "top_decile_token_multiple_ci95": list(eff.top.token_multiple.ci95 or []) or None,
        "top_decile_output_multiple": eff.top.output_multiple.value,
        "top_decile_output_multiple_ci95": list(eff.top.output_multiple.ci95 or []) or None,
        "elasticity": eff.elasticity.value,
        "elasticity_ci95": list(eff.elasticity.ci95) if eff.elasticity.ci95 else None,
        **estimates_shown,
        **agent_work.summary_keys(agent_work.agent_work(con, filters)),
        "unmatched_identities": unmatched["identities"],
        "unmatched": unmatched,
        "period_start": _iso(start),
        "period_end": _iso(end + timedelta(days=6)) if end else None,  # the Sunday of the last week
        "headline": wording.headline(within),  # the same sentence the dashboard and the pack lead with
        "rows": {
            r["table_name"]: {
                "read": r["rows_read"],
                "loaded": r["rows_loaded"],
                "quarantined": r["rows_quarantined"],
                "duplicates": r["rows_duplicate"],
            }
            for r in queries.build_rows(con).iter_rows(named=True)
        },
    }


def _analytics(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> tuple[dict[str, object], estimates.Estimate]:
    """The review's headline estimates (docs/methods.md), each with its 95% interval, and the
    within-person elasticity the headline is written from."""
    panel = analytics.panel(con, filters)
    within = analytics.within.within_elasticity(panel)
    adoption = analytics.event_study(panel).average
    revert = analytics.guardrails(panel).overall
    flagged = analytics.tokenmaxxing(panel).share

    def ci(estimate: estimates.Estimate) -> list[float] | None:
        return list(estimate.ci95) if estimate.ci95 else None

    def first(frame: pl.DataFrame, column: str) -> float | None:
        return frame[column][0] if frame.height and column in frame.columns else None

    return {
        "elasticity_within": within.value,
        "elasticity_within_ci95": ci(within),
        "adoption_effect_pct": adoption.value,
        "adoption_effect_pct_ci95": ci(adoption),
        "revert_rate": first(revert, "revert_rate"),
        "revert_rate_ci95": [first(revert, "revert_rate_low"), first(revert, "revert_rate_high")]
        if first(revert, "revert_rate_low") is not None
        else None,
        "tokenmaxxing_spend_share": flagged.value,
        "tokenmaxxing_spend_share_ci95": ci(flagged),
    }, within


def _scalar(con: duckdb.DuckDBPyConnection, filters: Filters, expression: str) -> int:
    sql, params = filters.person_week_sql()
    return int(one(con, f"with pw as ({sql}) select {expression} from pw", params)[0])


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
