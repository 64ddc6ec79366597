"""Overview: adoption against the target, tokens and spend, output, and cost per merged PR."""

from __future__ import annotations

import streamlit as st

from dashboard import agent_work, charts, data, exports, guardrails, layout
from dashboard import lead as leading
from dashboard.filters import week_label
from dashboard.text import markdown
from pipelines.metrics import wording
from pipelines.metrics.changes import Lead

viewer, filters = layout.begin(
    "Overview", "Who uses AI each week, what it costs, and what the people in view ship."
)
target = data.adoption_target()
weekly = data.weekly(viewer, filters)
key = data.key_figures(viewer, filters)
lead = data.lead(viewer, filters)
withheld = data.estimates_withheld(viewer, filters)  # the released sums show even then
leading.sentences(lead, withheld or wording.headline(data.within(viewer, filters)))


def delta(lead: Lead, column: str) -> str | None:
    """The change against the previous period, when the key figure is the whole compared period."""
    change = lead.figures.get(column)
    if lead.periods is None or lead.periods.basis != "before" or change is None or change.change is None:
        return None
    if change.in_points:
        return f"{change.change * 100:+.0f} pts vs the previous {lead.periods.weeks} weeks"
    return f"{change.change * 100:+.0f}% vs the previous {lead.periods.weeks} weeks"


figures, note = st.columns([2, 1], gap="medium")
with figures:
    rate, useful, spend = st.columns(3)
    output, cost, coverage = st.columns(3)
    if key.weekly_active_rate_latest is None or key.latest_week is None:
        rate.metric("Weekly active rate", "–", border=True)
    else:
        gap = (key.weekly_active_rate_latest - target) * 100
        rate.metric(
            f"Weekly active rate, week of {week_label(key.latest_week)}",
            f"{key.weekly_active_rate_latest:.0%}",
            delta=f"{gap:+.0f} pts vs the {target:.0%} target",
            delta_color="normal",
            help="People in scope who used any AI tool that week, over all people in scope.",
            border=True,
        )
    useful.metric(
        "Useful AI weeks",
        "–" if key.useful_ai_rate is None else f"{key.useful_ai_rate:.0%}",
        delta=delta(lead, "useful_ai_rate"),
        help="Engineer-weeks with AI use and output (a merged PR or a closed ticket), over all "
        "engineer-weeks in the view: the adoption figure that burning tokens cannot inflate.",
        border=True,
    )
    spend.metric(
        f"AI spend, {weekly.height} weeks",
        f"${key.cost_usd:,.0f}",
        delta=delta(lead, "cost_usd"),
        delta_color="off",
        help=f"In USD over the view: {key.tokens:,} tokens. Unpriced tokens add nothing to spend.",
        border=True,
    )
    output.metric(
        "Merged PRs per engineer-week",
        "–" if key.merged_prs_per_engineer_week is None else f"{key.merged_prs_per_engineer_week:.2f}",
        delta=delta(lead, "merged_prs_per_engineer_week"),
        help=f"{key.merged_prs:,} merged PRs over {key.person_weeks:,} person-weeks in scope.",
        border=True,
    )
    cost.metric(
        "Cost per merged PR",
        "–" if key.cost_per_merged_pr is None else f"${key.cost_per_merged_pr:,.2f}",
        delta=delta(lead, "cost_per_merged_pr"),
        delta_color="inverse",
        help="AI spend over merged PRs in the view: a ratio of totals, not a price of a PR.",
        border=True,
    )
    coverage.metric(
        "Spend shown",
        "–" if key.usage_coverage is None else f"{key.usage_coverage:.0%}",
        help="Share of the engineer-weeks in view whose tokens and spend are in these totals: a "
        f"team-week with fewer than {viewer.k} AI users shows its headcount and output, not its spend.",
        border=True,
    )
    st.caption(
        "Figures describe what happened together; they do not say that tokens cause output. "
        "The Efficiency page has the estimates with their intervals."
        + (
            f" {int(weekly['suppressed'].sum())} week(s) with fewer than {viewer.k} people (or AI users) in view "
            "are left blank in the charts and out of these totals."
            if weekly.height and weekly["suppressed"].any()
            else ""
        )
    )
    if withheld:
        st.caption(f"Quality guardrails and agent-authored work are estimates: {markdown(withheld)}")
    else:
        guardrails.strip(data.guardrails(viewer, filters, overall_only=True), viewer.k)
        agent_work.section(data.agent_work(viewer, filters), viewer.k)
with note:
    layout.not_in_figures(viewer, key.unpriced_tokens)

left, right = st.columns(2, gap="medium")
exports.chart(charts.active_rate(weekly, target), "weekly-active-rate", left)
exports.chart(charts.tokens_and_spend(weekly), "tokens-and-spend", right)
exports.chart(charts.merged_prs_per_engineer_week(weekly), "merged-prs-per-engineer-week", left)
exports.chart(charts.cost_per_merged_pr(weekly), "cost-per-merged-pr", right)
exports.table(weekly, "weekly", viewer.k, left)
right.caption(
    f"Trend: AI spend over merged PRs of the last {data.TREND_WEEKS} weeks (a ratio of sums). "
    "Weeks with no merged PR have no weekly point."
)
