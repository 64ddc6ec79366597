"""tokenyield's dashboard: page config and navigation by role; each page is its own module."""

import streamlit as st

from dashboard import layout

st.set_page_config(page_title="tokenyield", layout="wide")
viewer = layout.who()  # the signed-in viewer, or a page that says why there is none
pages = []
if viewer.sees_aggregates:
    pages += [
        st.Page("dashboard/pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
        st.Page("dashboard/pages/efficiency.py", title="Efficiency", icon=":material/stacked_line_chart:"),
        st.Page("dashboard/pages/teams.py", title="Teams", icon=":material/groups:"),
        st.Page("dashboard/pages/methods.py", title="Methods", icon=":material/science:"),
        st.Page("dashboard/pages/report.py", title="Review pack", icon=":material/slideshow:"),
    ]
if viewer.person_key:
    pages.append(
        st.Page("dashboard/pages/my_data.py", title="My data", icon=":material/person:", default=not pages)
    )
if viewer.reports:
    pages.append(st.Page("dashboard/pages/my_team.py", title="My team", icon=":material/diversity_3:"))
if viewer.sees_whole_org:
    pages.append(st.Page("dashboard/pages/data.py", title="Data", icon=":material/fact_check:"))
if viewer.is_admin:
    pages.append(st.Page("dashboard/pages/audit.py", title="Audit", icon=":material/policy:"))
st.navigation(pages).run()
