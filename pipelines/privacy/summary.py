"""`summary --as`: the keys of headline.summary() for one viewer, every one under the release's rules."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.metrics import agent_work as agent_figures
from pipelines.metrics import analytics as analytics_review
from pipelines.metrics import headline, released
from pipelines.metrics.filters import Filters
from pipelines.privacy.agent import AGENT_KEYS, agent_work
from pipelines.privacy.aggregates import weekly
from pipelines.privacy.estimates import within
from pipelines.privacy.scope import Withheld, scoped
from pipelines.privacy.scope import check_estimate as check_selection
from pipelines.privacy.viewer import Viewer

SUMMARY_GROUPS = (  # summary keys over the top usage decile: shown when a decile holds k people
    "top_decile_token_multiple",
    "top_decile_token_multiple_ci95",
    "top_decile_output_multiple",
    "top_decile_output_multiple_ci95",
)


def summary(con: duckdb.DuckDBPyConnection, viewer: Viewer, filters: Filters) -> dict[str, object]:
    """`summary --as`: the same keys as headline.summary(), for a viewer. Every total is a sum of
    released cells (the Overview's key figures, metrics/released.py); estimates are computed on
    the checked view; unmatched identities are shown to whole-organization viewers only, and only
    when there are at least k of them."""
    key = released.key_figures(weekly(con, viewer, filters))  # Withheld for a view with no aggregate
    try:
        view, withheld = check_selection(con, viewer, filters), None
    except Withheld as error:  # no estimate for this view: its released totals are still shown
        view, withheld = scoped(viewer, filters), str(error)
    shown = headline.summary(con, view)
    if withheld:
        kept = ("period_start", "period_end", "rows")
        shown = {name: (value if name in kept else None) for name, value in shown.items()}
        shown["headline"] = withheld
    k = viewer.k
    shown.update(
        people=key.people_latest,
        ai_users=key.ai_users_latest,
        weekly_active_rate_latest=key.weekly_active_rate_latest,
        useful_ai_week_share=key.useful_ai_rate,
        tokens_total=key.tokens,
        unpriced_tokens_total=key.unpriced_tokens,
        cost_usd_total=round(key.cost_usd, 2),
        merged_prs_total=key.merged_prs,
        closed_tickets_total=key.closed_tickets,
        cost_per_merged_pr=round(key.cost_per_merged_pr, 2) if key.cost_per_merged_pr else None,
        spend_coverage=key.usage_coverage,
    )
    ai_people = int(headline.queries.person_means(con, view).height)
    if ai_people // 10 < k:
        for name in SUMMARY_GROUPS:
            shown[name] = None
    try:  # agent work: from the view's released agent cells, shown for k people or more
        work = None if withheld else agent_work(con, viewer, filters)
    except Withheld:
        work = None
    if work is None:
        shown.update(dict.fromkeys(("agent_people", *AGENT_KEYS)))
    else:
        shown.update(agent_figures.summary_keys(work))
    unmatched = shown.get("unmatched") or {}
    if not viewer.sees_whole_org or int(unmatched.get("identities", 0)) < k:  # type: ignore[union-attr]
        shown["unmatched"] = None
        shown["unmatched_identities"] = None
    for name in ("elasticity", "elasticity_within", "adoption_effect_pct", "tokenmaxxing_spend_share"):
        if shown.get(name) is not None and ai_people < k:
            shown[name], shown[f"{name}_ci95"] = None, None
    if shown.get("tokenmaxxing_spend_share") is not None:  # a flag is about people: k flagged, or none shown
        flags = analytics_review.tokenmaxxing(analytics_review.panel(con, view)).people
        if flags.filter(pl.col("flagged_cost_usd") > 0).height < k:
            shown["tokenmaxxing_spend_share"], shown["tokenmaxxing_spend_share_ci95"] = None, None
    # the headline is the within-person estimate as the dashboard shows it (the same k rule)
    estimate = None if withheld else within(con, viewer, filters)
    shown["headline"] = withheld or headline.wording.headline(estimate)  # type: ignore[arg-type]
    shown["elasticity_within"] = estimate.value if estimate else None
    shown["elasticity_within_ci95"] = list(estimate.ci95) if estimate and estimate.ci95 else None
    shown["viewer"] = {"email": viewer.email, "role": viewer.role, "k": k}
    return shown
