"""My team: a manager's direct reports as individuals, in name order, never ranked."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, layout, person_data
from dashboard import lead as leading
from dashboard.charts import person
from dashboard.text import markdown
from pipelines import formats
from pipelines.metrics import changes
from pipelines.metrics.filters import Filters
from pipelines.privacy.views import Withheld

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
try:  # your org as an aggregate, against the previous period: the release's figures, as on the Overview
    leading.sentences(data.lead(viewer, Filters()))
except Withheld as error:
    with st.container(border=True, key="lead"):
        st.markdown(
            f"- Your org as a whole is not compared with the previous period: {markdown(error)} "
            f"Groups under {viewer.k} people are never shown as a figure, so that nobody can be singled out."
        )
# a static table: it cannot be sorted by a figure or downloaded in another order (no ranking of people)
st.table(
    reports.select(
        pl.col("name").alias("Name"),
        pl.col("team").alias("Team"),
        pl.col("weeks").alias("Weeks"),
        pl.col("weeks_with_ai").alias("Weeks with AI"),
        pl.col("tokens").map_elements(formats.compact, return_dtype=pl.String).alias("Tokens"),
        pl.col("cost_usd").map_elements(formats.usd, return_dtype=pl.String).alias("AI spend"),
        pl.col("merged_prs").alias("Merged PRs"),
    )
)
names = dict(zip(reports["person_key"], reports["name"], strict=True))
chosen = st.selectbox(
    "Weeks of", list(names), format_func=names.__getitem__, index=None, placeholder="Choose a person"
)
if chosen:
    weeks = person_data.person_weekly(viewer, chosen, layout.Filters())
    whose = f"{names[chosen]}'s"
    st.markdown("\n".join(f"- {markdown(s)}" for s in changes.person_sentences(weeks, whose)))
    st.plotly_chart(person.person_weeks(weeks, f"{whose} weeks"), **layout.PLOTLY)
