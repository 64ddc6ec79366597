"""My team: a manager's direct reports as individuals, in name order, never ranked."""

from __future__ import annotations

import streamlit as st

from dashboard import data, layout
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
reports = data.direct_reports(viewer)
st.dataframe(
    reports.drop("person_key"),
    hide_index=True,
    height="content",
    column_config={
        "tokens": st.column_config.NumberColumn("tokens", format="compact"),
        "cost_usd": st.column_config.NumberColumn("AI spend", format="dollar"),
    },
)
names = dict(zip(reports["person_key"], reports["name"], strict=True))
chosen = st.selectbox(
    "Weeks of", list(names), format_func=names.__getitem__, index=None, placeholder="Choose a person"
)
if chosen:
    weeks = data.person_weekly(viewer, chosen, layout.Filters())
    st.plotly_chart(person.person_weeks(weeks, f"{names[chosen]}'s weeks"), **layout.PLOTLY)
