"""tokenyield's dashboard: page config and navigation; each page is its own module."""

import streamlit as st

st.set_page_config(page_title="tokenyield", layout="wide")
st.navigation(
    [
        st.Page("dashboard/pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
        st.Page("dashboard/pages/efficiency.py", title="Efficiency", icon=":material/stacked_line_chart:"),
        st.Page("dashboard/pages/teams.py", title="Teams", icon=":material/groups:"),
        st.Page("dashboard/pages/data.py", title="Data", icon=":material/fact_check:"),
    ]
).run()
