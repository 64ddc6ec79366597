"""Efficiency: what more tokens come with, by usage decile and as a pooled elasticity."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import charts, data, exports, guardrails, layout
from dashboard import lead as leading
from dashboard.text import markdown
from pipelines.metrics import wording
from pipelines.metrics.estimates import ELASTICITY_CAVEAT

viewer, filters = layout.begin(
    "Efficiency",
    "AI users ranked into ten equal groups by mean weekly tokens; every figure is about groups.",
)
layout.unless_estimates_withheld(viewer, filters)
eff = data.efficiency(viewer, filters)
top = eff.top
elasticities = data.elasticities(viewer, filters)
leading.sentences(data.lead(viewer, filters), wording.headline(elasticities.within))

st.markdown(f"#### {markdown(eff.sentence)}")
with st.expander("How the deciles are made"):
    st.caption(f"Method: {markdown(top.token_multiple.method)}")

curve, density = st.columns(2, gap="medium")
exports.chart(
    charts.efficiency_curve(eff.deciles, top.token_multiple.ci95, top.output_multiple.ci95),
    "efficiency-curve",
    curve,
)
curve.caption(
    "Each point is a decile's median over the median AI user. Points under the dotted line: "
    "output rises more slowly than tokens. The diamond's bars are the bootstrap 95% intervals."
)
exports.chart(charts.usage_output_density(eff.density, eff.k), "usage-output-density", density)
density.caption(
    "Each cell counts AI users by their mean weekly tokens and merged PRs over their weeks in view. "
    f"No person is plotted or listed; grey cells hold fewer than {eff.k} people, and the axes stop at "
    "the 2nd and 98th percentiles (people beyond sit in the edge cells)."
)

st.subheader("What 10% more tokens come with: the same engineer, and across engineers")


def elasticity_panel(column, label: str, estimate, people_word: str) -> None:
    """One estimate: the value, its 95% interval, a 10%-more-tokens sentence and its method."""
    if estimate.value is None:
        column.metric(label, "–")
        column.info(
            f"Too few person-weeks or people for this estimate in this view (needs {viewer.k}+ people)."
        )
        return
    low, high = estimate.ci95 or (math.nan, math.nan)
    column.metric(
        label,
        f"{estimate.value:.2f}",
        help="The % change in weekly merged PRs associated with a 1% change in weekly tokens.",
    )
    said = wording.describe_effect(
        estimate, f"merged PRs in a week with 10% more tokens, {people_word}", wording.ten_percent_more_tokens
    )
    column.markdown(markdown(said))
    with column.expander("The estimate and its method"):
        st.markdown(
            f"Elasticity {estimate.value:.2f}, 95% interval **{low:.2f} to {high:.2f}**, over "
            f"{estimate.n:,} engineer-weeks."
        )
        st.caption(f"Method: {markdown(estimate.method)}")


within_col, pooled_col = st.columns(2, gap="medium")
elasticity_panel(within_col, "The same engineer (within-person)", elasticities.within, "for the same person")
elasticity_panel(pooled_col, "Across engineers (pooled)", eff.elasticity, "across people")
with st.expander("Why the two differ"):
    st.markdown(markdown(elasticities.why_they_differ))
    st.caption(f"{markdown(ELASTICITY_CAVEAT)} The Methods page has the event study, cohorts and curves.")

st.subheader("Deciles")
deciles_hidden = "suppressed" in eff.deciles.columns and bool(
    eff.deciles["suppressed"].fill_null(False).all()
)
if eff.deciles.height and deciles_hidden:
    st.caption(f"The deciles are not shown: a decile of this view would hold fewer than {viewer.k} people.")
else:
    st.dataframe(
        eff.deciles.drop("suppressed", strict=False),
        hide_index=True,
        height="content",
        column_config={
            "decile": st.column_config.NumberColumn("Decile", format="%d"),
            "people": st.column_config.NumberColumn("AI users", format="localized"),
            "median_weekly_tokens": st.column_config.NumberColumn("Weekly tokens (median)", format="compact"),
            "median_weekly_merged_prs": st.column_config.NumberColumn(
                "Weekly merged PRs (median)", format="%.2f"
            ),
            "token_multiple": st.column_config.NumberColumn("Tokens × median", format="%.2f×"),
            "output_multiple": st.column_config.NumberColumn("PRs × median", format="%.2f×"),
            "cost_per_merged_pr": st.column_config.NumberColumn("Cost per merged PR", format="$%.2f"),
        },
    )
st.caption(
    "Decile 1 holds the AI users with the fewest tokens. Deciles are groups of AI users with equal counts; "
    "medians are of per-person weekly means. "
    "Cost per merged PR is the decile's AI spend over its merged PRs."
)
exports.table(eff.deciles, "efficiency-deciles", viewer.k)
st.markdown(
    "**Quality guardrails per usage decile**, beside the deciles' output (means; intervals on the Methods page):"
)
guardrails.table(data.guardrails(viewer, filters), "decile", viewer.k)

from dashboard import people_cost  # noqa: E402  (its own block: the page's top is edited elsewhere)

people_cost.section(viewer, filters)
