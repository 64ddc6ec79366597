"""Methods: what each estimate says, how it is made, what it cannot claim, and the published
reference points beside our figures (docs/methods.md)."""

from __future__ import annotations

import math

import polars as pl
import streamlit as st

from dashboard import charts, data, layout, person_data
from pipelines.metrics import wording
from pipelines.metrics.estimates import Estimate

viewer, filters = layout.begin(
    "Methods",
    "Each estimate with its 95% interval, its method in a line and what it cannot claim. "
    "All are associations in observed data, not the results of an experiment.",
)
review = data.analytics(viewer, filters)
fewer = f"fewer than {viewer.k}"


def interval(estimate: Estimate, unit: str = "", digits: int = 2, null: float | None = 0.0) -> str:
    if estimate.value is None:
        return f"not available (too few people: {fewer}, or too little data)"
    text = f"**{estimate.value:.{digits}f}{unit}**"
    if estimate.ci95:
        low, high = estimate.ci95
        text += f" (95% interval {low:.{digits}f}{unit} to {high:.{digits}f}{unit})"
        if null is not None and not wording.measurable(estimate, null):
            text = f"**{wording.NO_DIFFERENCE}**: {text.replace('**', '')}, an interval that includes {null:g}{unit}"
    return text


def explain(estimate: Estimate) -> None:
    st.caption(f"Method: {estimate.method}")
    if estimate.caveat:
        st.caption(f"Caveat: {estimate.caveat}")


def show(frame: pl.DataFrame, drop: tuple[str, ...] = ()) -> None:
    """A table of groups; suppressed groups read 'fewer than k' in the people column."""
    if frame.is_empty():
        st.info("Nothing to show in this view.")
        return
    shown = frame.drop([c for c in drop if c in frame.columns])
    if "suppressed" in shown.columns:
        shown = shown.with_columns(
            people=pl.when(pl.col("suppressed"))
            .then(pl.lit(fewer))
            .otherwise(pl.col("people").cast(pl.String))
        ).drop("suppressed")
    st.dataframe(shown, hide_index=True, height="content")


# -- within-person vs pooled -------------------------------------------------------------------
st.subheader("What more tokens go with: within-person vs pooled")
el = review.elasticities
left, right = st.columns(2, gap="medium")
with left:
    st.markdown(f"Within-person elasticity: {interval(el.within)}")
    explain(el.within)
    if el.within_effort.value is not None:
        st.markdown(f"Controlling for active days: {interval(el.within_effort)}")
with right:
    st.markdown(f"Pooled elasticity: {interval(el.pooled)}")
    explain(el.pooled)
st.info(el.why_they_differ, icon=":material/compare_arrows:")
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
    st.markdown(f"Best fit by AIC: **{cu.best}** (a difference under 2 is no real preference).")
    curve, marginal = st.columns(2, gap="medium")
    curve.plotly_chart(charts.analytics.diminishing_returns(cu.points, cu.fits, cu.marginal), **layout.PLOTLY)
    marginal.plotly_chart(
        charts.analytics.marginal_cost(cu.marginal, review.marginal_cost_within), **layout.PLOTLY
    )
    show(cu.fits)
    st.markdown("Marginal cost of one more merged PR at each decile (from the best curve):")
    show(cu.marginal)
    st.caption(f"Method: {cu.method}")
    st.caption(f"Caveat: {cu.caveat}")
st.markdown("Marginal cost from the within-person elasticity, per decile:")
show(review.marginal_cost_within)

# -- cost per outcome ------------------------------------------------------------------------
st.subheader("Cost per outcome")
st.caption(f"Method: {review.costs.method}")
st.caption(f"Caveat: {review.costs.caveat}")
by_decile, by_team = st.tabs(["by usage decile", "by team"])
with by_decile:
    st.plotly_chart(charts.analytics.cost_per_outcome(review.costs.by_decile, "decile"), **layout.PLOTLY)
    show(review.costs.by_decile)
with by_team:
    st.plotly_chart(charts.analytics.cost_per_outcome(review.costs.by_team, "team"), **layout.PLOTLY)
    show(review.costs.by_team)

# -- quality guardrails ----------------------------------------------------------------------
st.subheader("Quality guardrails")
st.caption(f"Method: {review.guardrails.method}")
st.caption(f"Caveat: {review.guardrails.caveat}")
show(review.guardrails.overall)
g_decile, g_team = st.tabs(["by usage decile", "by team"])
with g_decile:
    st.plotly_chart(charts.analytics.guardrails(review.guardrails.by_decile, "decile"), **layout.PLOTLY)
    show(review.guardrails.by_decile)
with g_team:
    show(review.guardrails.by_team)

# -- tokenmaxxing ----------------------------------------------------------------------------
st.subheader("Possible tokenmaxxing: share of spend flagged")
tm = review.tokenmaxxing
st.markdown(f"Share of all spend in view that is flagged: {interval(tm.share, '', 3, null=None)}")
st.caption(f"Method: {tm.method}")
st.caption(f"Caveat: {tm.caveat}")
st.plotly_chart(charts.analytics.flagged_spend(tm.by_team), **layout.PLOTLY)
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
    )

# -- published reference points --------------------------------------------------------------
st.subheader("Published reference points beside our figures")
st.dataframe(
    pl.DataFrame(
        {
            "study": [r.source for r in review.references],
            "design": [r.design for r in review.references],
            "finding": [r.finding for r in review.references],
            "our figure to compare": [r.ours for r in review.references],
            "caveat": [r.caveat for r in review.references],
        }
    ),
    hide_index=True,
    height="content",
)
within = el.within.value
if within is not None and not math.isnan(within):
    said = wording.describe_effect(
        el.within,
        "merged PRs in a week with 10% more tokens, for the same person",
        wording.ten_percent_more_tokens,
    )
    st.caption(f"Ours (within-person): {said} See docs/methods.md for how each study's design differs.")
