"""Efficiency: what more tokens come with, by usage decile and as a pooled elasticity."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import charts, data, layout
from pipelines.metrics.estimates import ELASTICITY_CAVEAT

viewer, filters = layout.begin(
    "Efficiency",
    "AI users ranked into ten equal groups by mean weekly tokens; every figure is about groups.",
)
eff = data.efficiency(viewer, filters)
top = eff.top

st.markdown(f"#### {eff.sentence}")
st.caption(f"Method: {top.token_multiple.method}")

curve, density = st.columns(2, gap="medium")
curve.plotly_chart(
    charts.efficiency_curve(eff.deciles, top.token_multiple.ci95, top.output_multiple.ci95), **layout.PLOTLY
)
curve.caption(
    "Each point is a decile's median over the median AI user. Points under the dotted line: "
    "output rises more slowly than tokens. The diamond's bars are the bootstrap 95% intervals."
)
density.plotly_chart(charts.usage_output_density(eff.density, eff.k), **layout.PLOTLY)
density.caption(
    "Each cell counts AI users by their mean weekly tokens and merged PRs over their weeks in view. "
    f"No person is plotted or listed; grey cells hold fewer than {eff.k} people, and the axes stop at "
    "the 2nd and 98th percentiles (people beyond sit in the edge cells)."
)

st.subheader("Pooled elasticity")
elasticity = eff.elasticity
value, facts = st.columns([1, 3], gap="medium")
if elasticity.value is None:
    value.metric("Elasticity of merged PRs to tokens", "–")
    facts.info(
        f"Too few person-weeks for the estimate ({elasticity.n} person-weeks, {elasticity.groups} people)."
    )
else:
    low, high = elasticity.ci95 or (math.nan, math.nan)
    value.metric(
        "Elasticity of merged PRs to tokens",
        f"{elasticity.value:.2f}",
        help="The % change in weekly merged PRs associated with a 1% change in weekly tokens.",
    )
    value.markdown(f"95% interval **{low:.2f} to {high:.2f}**")
    ten = (1.1**elasticity.value - 1) * 100
    facts.markdown(
        f"Across {elasticity.n:,} person-weeks of {elasticity.groups:,} people, a week with 10% more tokens "
        f"is associated with about {ten:.1f}% more merged PRs (95% interval "
        f"{(1.1**low - 1) * 100:.1f}% to {(1.1**high - 1) * 100:.1f}%)."
    )
    facts.caption(f"Method: {elasticity.method}")
    facts.warning(f"{ELASTICITY_CAVEAT} A within-person estimate comes in a later release.")

st.subheader("Deciles")
st.dataframe(
    eff.deciles,
    hide_index=True,
    height="content",
    column_config={
        "decile": st.column_config.NumberColumn("decile (1 = fewest tokens)", format="D%d"),
        "people": st.column_config.NumberColumn("AI users"),
        "median_weekly_tokens": st.column_config.NumberColumn("median weekly tokens", format="compact"),
        "median_weekly_merged_prs": st.column_config.NumberColumn("median weekly merged PRs", format="%.2f"),
        "token_multiple": st.column_config.NumberColumn("tokens × median", format="%.2f×"),
        "output_multiple": st.column_config.NumberColumn("merged PRs × median", format="%.2f×"),
        "cost_per_merged_pr": st.column_config.NumberColumn("cost per merged PR", format="dollar"),
    },
)
st.caption(
    "Deciles are groups of AI users with equal counts; medians are of per-person weekly means. "
    "Cost per merged PR is the decile's AI spend over its merged PRs."
)
