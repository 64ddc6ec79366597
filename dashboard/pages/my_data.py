"""My data: the signed-in person's own weeks. Nobody else sees this page's rows but their manager."""

from __future__ import annotations

import streamlit as st

from dashboard import layout, person_data, tables
from dashboard.charts import person
from dashboard.text import markdown
from pipelines import formats
from pipelines.metrics import changes

st.title("My data")
viewer = layout.who()
layout.signed_in(viewer)
if not viewer.person_key:
    st.info(
        f"{markdown(viewer.email)} is not in the roster, so there is no personal data to show.",
        icon=":material/person_off:",
    )
    st.stop()
st.caption(
    "Your own weeks: AI usage beside what you shipped. Only you and your direct manager can see this; "
    "each view is recorded in the audit log. These figures are not a performance measure."
)
weeks = person_data.person_weekly(viewer, viewer.person_key, layout.Filters())
if weeks.is_empty():
    st.info("No weeks of yours are in this warehouse.")
    st.stop()
with st.container(border=True, key="lead"):
    st.markdown("\n".join(f"- {markdown(s)}" for s in changes.person_sentences(weeks)))
used = int(weeks["used_ai"].sum())
a, b, c = st.columns(3)
a.metric("Weeks with AI use", f"{used} of {weeks.height}", border=True)
b.metric(
    "Tokens", formats.compact(int(weeks["tokens"].sum())), help="All tools, all token kinds.", border=True
)
c.metric("Merged PRs", f"{int(weeks['merged_prs'].sum()):,}", border=True)
st.plotly_chart(person.person_weeks(weeks, "Your weeks"), **layout.PLOTLY)
st.dataframe(
    weeks,
    hide_index=True,
    height="content",
    column_config={
        **tables.column_config(weeks),
        "used_ai": st.column_config.CheckboxColumn("Used AI"),
    },
)
