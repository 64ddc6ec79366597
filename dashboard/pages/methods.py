"""Methods: what each estimate says, how it is made, what it cannot claim, and the published
reference points beside our figures (docs/methods.md)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import charts, data, layout, person_data, tables
from dashboard import lead as leading
from dashboard.text import markdown
from pipelines import formats
from pipelines.metrics import wording
from pipelines.metrics.estimates import Estimate

viewer, filters = layout.begin(
    "Methods",
    "Each estimate with its 95% interval, its method in a line and what it cannot claim. "
    "All are associations in observed data, not the results of an experiment.",
)
layout.unless_estimates_withheld(viewer, filters)
review = data.analytics(viewer, filters)
fewer = f"fewer than {viewer.k}"
leading.sentences(data.lead(viewer, filters), wording.headline(review.elasticities.within))


def interval(
    estimate: Estimate, unit: str = "", digits: int = 2, null: float | None = 0.0, share: bool = False
) -> str:
    """The estimate and its 95% interval; a share reads as a % and its interval stays within 0-100%."""
    if estimate.value is None:
        return f"not available (too few people: {fewer}, or too little data)"

    def said(v: float) -> str:
        return formats.pct(min(max(v, 0.0), 1.0), 1) if share else f"{v:.{digits}f}{unit}"

    text = f"**{said(estimate.value)}**"
    if estimate.ci95:
        low, high = estimate.ci95
        text += f" (95% interval {said(low)} to {said(high)})"
        if null is not None and not wording.measurable(estimate, null):
            text = f"**{wording.NO_DIFFERENCE}**: {text.replace('**', '')}, an interval that includes {null:g}{unit}"
    return text


def explain(estimate: Estimate) -> None:
    method(estimate.method, estimate.caveat)


def method(how: str, caveat: str | None = None) -> None:
    """The statistical method, out of the way: the plain sentence comes first."""
    with st.expander("How this is estimated"):
        st.caption(markdown(how))
        if caveat:
            st.caption(f"Caveat: {markdown(caveat)}")


# plain headers for the analytics' own columns (formats.py names the shared ones)
LABELS = {
    "event_time": "Weeks since first AI week",
    "effect_pct": "Merged PRs vs without AI (%)",
    "effect": "Merged PRs per week vs without AI",
    "imputed": "Merged PRs per week without AI (imputed)",
    "n": "Engineer-weeks",
    "decile": "Decile",
    "family": "Curve",
    "formula": "Formula",
    "parameters": "Fitted parameters",
    "aic": "AIC",
    "delta_aic": "AIC above the best",
    "best": "Best",
    "median_weekly_spend": "Median weekly spend ($)",
    "median_weekly_merged_prs": "Median weekly merged PRs",
    "mean_weekly_spend": "Mean weekly spend ($)",
    "mean_weekly_merged_prs": "Mean weekly merged PRs",
    "marginal_cost_per_merged_pr": "Cost of one more merged PR",
    "marginal_cost": "Cost of one more merged PR",
    "lines_per_pr": "Lines per PR",
    "hours_to_merge": "Hours to merge",
    "bug_share": "Bug share of tickets",
    "quality_adjusted_prs_per_engineer_week": "Quality-adjusted merged PRs per engineer-week",
    "cost_per_closed_ticket": "Cost per closed ticket",
    "prior_median_weekly_tokens": "Median weekly tokens, earlier window",
    "median_weekly_tokens": "Median weekly tokens, later window",
    "token_multiple": "Tokens × median",
    "output_multiple": "Merged PRs × median",
    "flagged_cost_usd": "Spend flagged",
    "flagged_people": "People flagged",
    "flagged_share": "Share of spend flagged",
}
SHARES = ("flagged_share", "revert_rate", "bug_share", "share", "agent_share")


def _kind(column: str) -> str:
    if column in SHARES:
        return "pct"
    if column.startswith(("cost_per", "marginal_cost")) or column.endswith("_spend"):
        return "usd"
    if "tokens" in column:
        return "compact"
    return "number"


def show(frame: pl.DataFrame, drop: tuple[str, ...] = ()) -> None:
    """A table of groups for people: plain headers, shares as % (intervals within 0-100%), dollars,
    B/M/K tokens, each interval in one column, and groups under k people collapsed into one line."""
    table, hidden = tables.shown(frame, viewer.k, drop)
    if table.is_empty():
        st.caption(
            f"Not shown: every group in this view has {fewer} people."
            if hidden
            else "Nothing to show in this view."
        )
        return
    kinds = {c: _kind(c) for c in table.columns}
    if "ci_low" in table.columns:  # ci_low/ci_high: the interval of the marginal cost, or of the effect
        value = next((c for c in table.columns if c.startswith("marginal_cost")), None) or (
            "effect" if "effect" in table.columns else None
        )
        if value:
            table = table.rename({"ci_low": f"{value}_low", "ci_high": f"{value}_high"})
    table = tables.with_intervals(table, kinds)
    config = tables.column_config(table, LABELS)
    for c in table.columns:
        header = LABELS.get(c) or formats.label(c)
        if c.endswith("_interval"):
            base = c.removesuffix("_interval")
            config[c] = st.column_config.TextColumn(
                f"{LABELS.get(base) or formats.label(base)}, 95% interval"
            )
        elif kinds.get(c) == "pct":
            table = table.with_columns(pl.col(c).clip(0.0, 1.0) * 100)
            config[c] = st.column_config.NumberColumn(header, format="%.1f%%")
        elif kinds.get(c) == "usd" and c != "cost_usd":
            config[c] = st.column_config.NumberColumn(header, format="$%.2f")
        elif kinds.get(c) == "compact":
            config[c] = st.column_config.NumberColumn(header, format="compact")
        elif c in ("aic", "delta_aic"):
            config[c] = st.column_config.NumberColumn(LABELS[c], format="%.1f")
        elif c.endswith("_multiple"):
            config[c] = st.column_config.NumberColumn(header, format="%.2f×")
    st.dataframe(table, hide_index=True, height="content", column_config=config)
    if hidden:
        st.caption(f"{hidden} more groups with {fewer} people are not shown.")


def draw(fig: go.Figure, frame: pl.DataFrame) -> None:
    """A chart of groups, only when a group is shown: the table's line under it says what is not."""
    if tables.shown(frame, viewer.k)[0].height:
        st.plotly_chart(fig, **layout.PLOTLY)


# -- within-person vs pooled -------------------------------------------------------------------
st.subheader("What more tokens go with: the same engineer, and across engineers")
el = review.elasticities
left, right = st.columns(2, gap="medium")
with left:
    st.markdown(
        markdown(
            wording.describe_effect(
                el.within,
                "merged PRs in a week with 10% more tokens, for the same engineer",
                wording.ten_percent_more_tokens,
            )
        )
    )
    st.caption(f"Within-person elasticity: {interval(el.within)}")
    if el.within_effort.value is not None:
        st.caption(f"With active days held fixed: {interval(el.within_effort)}")
    explain(el.within)
with right:
    st.markdown(
        markdown(
            wording.describe_effect(
                el.pooled,
                "merged PRs with 10% more tokens, comparing different engineers",
                wording.ten_percent_more_tokens,
            )
        )
    )
    st.caption(f"Pooled elasticity: {interval(el.pooled)}")
    explain(el.pooled)
with st.expander("Why the two differ"):
    st.markdown(markdown(el.why_they_differ))
st.plotly_chart(
    charts.analytics.elasticity_comparison(el.pooled, el.within, el.within_effort), **layout.PLOTLY
)

# -- adoption event study ----------------------------------------------------------------------
st.subheader("Adoption event study")
es = review.event_study
st.markdown(
    f"Average change in weekly merged PRs after a person's first AI week: {interval(es.average, '%', 1)}; "
    f"{es.adopters:,} adopters, {es.controls:,} people who never adopt in the data."
)
explain(es.average)
st.plotly_chart(charts.analytics.event_study(es.effects, es.average), **layout.PLOTLY)
with st.expander("Effects by week since adoption"):
    show(es.effects)

# -- honest cohorts ------------------------------------------------------------------------------
st.subheader("Honest cohorts: deciles from a prior window, outcomes from a later one")
co = review.cohorts
st.markdown(
    f"Top decile vs the median AI user: tokens {interval(co.token_multiple, '×', 1, null=1.0)}, "
    f"merged PRs {interval(co.output_multiple, '×', 1, null=1.0)}."
)
explain(co.output_multiple)
show(co.deciles)

# -- diminishing returns ---------------------------------------------------------------------
st.subheader("Diminishing returns: output against spend")
cu = review.curves
if cu.best is None:
    st.info(f"Too few AI users in this view to fit the curves ({fewer} people, or too little spread).")
else:
    st.markdown(
        f"The curve that fits best is **{markdown(cu.best)}**. Each curve is fitted to people's mean "
        "weekly spend and merged PRs, and drawn against each spend decile's means (the same units)."
    )
    curve, marginal = st.columns(2, gap="medium")
    curve.plotly_chart(charts.analytics.diminishing_returns(cu.points, cu.fits, cu.marginal), **layout.PLOTLY)
    marginal.plotly_chart(
        charts.analytics.marginal_cost(cu.marginal, review.marginal_cost_within), **layout.PLOTLY
    )
    with st.expander(
        "The three curves compared (AIC: lower fits better; under 2 apart is no real preference)"
    ):
        show(cu.fits)
    st.markdown("What one more merged PR costs at each decile (from the best curve):")
    show(cu.marginal, drop=("median_weekly_spend", "median_weekly_merged_prs"))
    method(cu.method, cu.caveat)
st.markdown("Marginal cost from the within-person elasticity, per decile:")
show(review.marginal_cost_within)

# -- cost per outcome ------------------------------------------------------------------------
st.subheader("Cost per outcome")
method(review.costs.method, review.costs.caveat)
by_decile, by_team = st.tabs(["by usage decile", "by team"])
with by_decile:
    draw(charts.analytics.cost_per_outcome(review.costs.by_decile, "decile"), review.costs.by_decile)
    show(review.costs.by_decile)
with by_team:
    draw(charts.analytics.cost_per_outcome(review.costs.by_team, "team"), review.costs.by_team)
    show(review.costs.by_team)

# -- quality guardrails ----------------------------------------------------------------------
st.subheader("Quality guardrails")
method(review.guardrails.method, review.guardrails.caveat)
show(review.guardrails.overall)
g_decile, g_team = st.tabs(["by usage decile", "by team"])
with g_decile:
    draw(charts.analytics.guardrails(review.guardrails.by_decile, "decile"), review.guardrails.by_decile)
    show(review.guardrails.by_decile)
with g_team:
    show(review.guardrails.by_team)

# -- tokenmaxxing ----------------------------------------------------------------------------
st.subheader("Possible tokenmaxxing: share of spend flagged")
tm = review.tokenmaxxing
st.markdown(f"Share of all AI spend in view that is flagged: {interval(tm.share, null=None, share=True)}")
st.caption("A signal prompts a conversation about how tools are used, not a verdict about anyone.")
method(tm.method, tm.caveat)
draw(charts.analytics.flagged_spend(tm.by_team), tm.by_team)
show(tm.by_team)
flagged = tm.people.filter(pl.col("flagged")) if tm.people.height else tm.people
if flagged.height:
    names = person_data.names(viewer, tuple(flagged["person_key"]))
    st.markdown(
        "Flags on people you may see (yourself, your direct reports), in name order. A flag is a "
        "prompt for a conversation about how tools are used, never a verdict:"
    )
    st.dataframe(
        flagged.with_columns(name=pl.col("person_key").replace_strict(names, default=None))
        .sort("name")
        .select("name", "team", "surge_weeks", "burst_weeks", "spend_multiple"),
        hide_index=True,
        height="content",
        column_config={
            "name": st.column_config.TextColumn("Name"),
            "team": st.column_config.TextColumn("Team"),
            "surge_weeks": st.column_config.NumberColumn("Weeks of surge", format="%d"),
            "burst_weeks": st.column_config.NumberColumn("Weeks of burst", format="%d"),
            "spend_multiple": st.column_config.NumberColumn("Spend × own history", format="%.1f×"),
        },
    )

# -- published reference points --------------------------------------------------------------
st.subheader("Published reference points beside our figures")
for r in review.references:  # each study in full: a wide table cut off "ours" at the right edge
    with st.container(border=True):
        st.markdown(f"**{markdown(r.source)}**: {markdown(r.finding)}")
        st.markdown(f"Ours to compare: {markdown(r.ours)}")
        st.caption(f"Design: {markdown(r.design)} Caveat: {markdown(r.caveat)}")
within = el.within.value
if within is not None and not math.isnan(within):
    said = wording.describe_effect(
        el.within,
        "merged PRs in a week with 10% more tokens, for the same person",
        wording.ten_percent_more_tokens,
    )
    st.caption(f"Ours (within-person): {said} See docs/methods.md for how each study's design differs.")
