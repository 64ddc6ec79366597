"""My team: a manager's direct reports as individuals, in name order, never ranked."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import layout, person_data
from dashboard.charts import person

st.title("My team")
viewer = layout.who()
layout.signed_in(viewer)
if not viewer.reports:
    st.info("You have no direct reports in the roster.", icon=":material/group_off:")
    st.stop()
st.caption(
    "Your direct reports, in name order. Deeper levels of your org appear only as aggregates on the "
    "other pages. Each view is recorded in the audit log. Usage is context for a conversation, not a "
    "score: more tokens is not better work."
)
reports = person_data.direct_reports(viewer)
# a static table: it cannot be sorted by a figure or downloaded in another order (no ranking of people)
st.table(
    reports.select(
        pl.col("name").alias("Name"),
        pl.col("team").alias("Team"),
        pl.col("weeks").alias("Weeks"),
        pl.col("weeks_with_ai").alias("Weeks with AI"),
        pl.col("tokens").map_elements(layout.compact, return_dtype=pl.String).alias("Tokens"),
        pl.col("cost_usd").map_elements(lambda usd: f"${usd:,.0f}", return_dtype=pl.String).alias("AI spend"),
        pl.col("merged_prs").alias("Merged PRs"),
    )
)
names = dict(zip(reports["person_key"], reports["name"], strict=True))
chosen = st.selectbox(
    "Weeks of", list(names), format_func=names.__getitem__, index=None, placeholder="Choose a person"
)
if chosen:
    weeks = person_data.person_weekly(viewer, chosen, layout.Filters())
    st.plotly_chart(person.person_weeks(weeks, f"{names[chosen]}'s weeks"), **layout.PLOTLY)
