"""What every page shares: the title, the missing-warehouse message, the filters and the notes on
what the figures leave out."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data, filters, warehouse
from dashboard import lead as leading
from dashboard.filters import week_label
from dashboard.text import markdown
from pipelines.metrics.filters import Filters
from pipelines.privacy.viewer import AccessDenied, Viewer
from pipelines.privacy.views import Withheld
from pipelines.settings import SettingsError
from pipelines.warehouse import WarehouseError

# st.plotly_chart keywords: our own theme (dashboard/theme.py), not Streamlit's, and no plotly logo
PLOTLY = {"theme": None, "config": {"displaylogo": False}}


def who() -> Viewer:
    """The viewer of this session; stops the page with the reason when there is none."""
    try:
        warehouse.current()
        email = auth.signed_in_email()
        viewer = warehouse.viewer(email)
    except SettingsError as error:
        st.error(
            f"A setting in the environment cannot be used: {markdown(error)}", icon=":material/settings:"
        )
        st.stop()
    except WarehouseError as error:
        st.error(markdown(error), icon=":material/database:")
        st.markdown("To build and look at the demo organization, run this in the repository:")
        st.code("make run", language="bash")
        st.markdown("To build from your own input folder (see docs/data-contract.md):")
        st.code(f"tokenyield build --input data/input --db {warehouse.warehouse_path()}", language="bash")
        st.caption("The dashboard reads the file named by TOKENYIELD_DB (default data/warehouse.duckdb).")
        st.stop()
    except AccessDenied as error:
        st.error(markdown(error), icon=":material/lock:")
        st.stop()
    return viewer


def begin(title: str, intro: str) -> tuple[Viewer, Filters]:
    """Title, viewer and sidebar for a page of aggregates; a view the viewer may not see (or one
    under k people) is explained and the page stops."""
    st.title(title)
    viewer = who()
    if not viewer.sees_aggregates:
        st.info("Your role shows your own data only: see **My data**.", icon=":material/lock:")
        st.stop()
    chosen = filters.sidebar(viewer)
    signed_in(viewer)
    try:
        data.check(viewer, chosen)
    except Withheld as error:
        st.caption(intro)
        st.warning(markdown(error), icon=":material/visibility_off:")
        st.stop()
    st.caption(f"{intro} {_view(chosen)}{_scope(viewer)}")
    return viewer, chosen


def unless_estimates_withheld(viewer: Viewer, filters: Filters) -> None:
    """For a page of estimates: when the view may show none, open with what changed (released sums)
    and say why no estimate is shown, then stop the page."""
    withheld = data.estimates_withheld(viewer, filters)
    if withheld:
        leading.sentences(data.lead(viewer, filters))
        st.warning(markdown(withheld), icon=":material/visibility_off:")
        st.stop()


def signed_in(viewer: Viewer) -> None:
    """Who the figures are shown to, in the sidebar."""
    st.sidebar.caption(
        f"Signed in as {markdown(viewer.email)} ({viewer.role}). Groups under {viewer.k} people read "
        f'"fewer than {viewer.k}".'
    )
    auth.sign_out_button()


def _scope(viewer: Viewer) -> str:
    return "" if viewer.sees_whole_org else " Your org only: you and everyone reporting to you."


def _view(chosen: Filters) -> str:
    period = (
        f"Weeks of {week_label(chosen.start)} to {week_label(chosen.end)}"
        if chosen.start and chosen.end
        else "The whole period"
    )
    teams = ", ".join(map(markdown, chosen.teams)) if chosen.teams else "all teams"
    tools = ", ".join(map(markdown, chosen.tools)) if chosen.tools else "all AI tools"
    return f"{period}; {teams}; {tools}."


def compact(count: float) -> str:
    """12,345,678 -> 12.3M: counts a reader takes in at a glance."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(count) >= size:
            return f"{count / size:.1f}{unit}"
    return f"{count:,.0f}"


def not_in_figures(viewer: Viewer, unpriced_tokens: int) -> None:
    """The note beside the key figures: what is left out, so that nothing is hidden silently."""
    left_out = data.excluded(viewer)
    unmatched = left_out.unmatched
    with st.container(border=True):
        st.markdown("**Not in these figures**")
        lines = [
            f"- **{unmatched['identities']:,} unmatched identities** (whole period, every team): "
            f"{compact(unmatched['tokens'])} tokens (${unmatched['cost_usd']:,.0f}), "
            f"{unmatched['pull_requests']:,} PRs ({unmatched['merged_prs']:,} merged), "
            f"{unmatched['tickets']:,} tickets."
            if unmatched
            else "- **Unmatched identities**: accounts that match nobody in the roster are left out; "
            f"their totals are shown to leaders when there are at least {viewer.k} of them.",
            f"- **{left_out.bot_pull_requests:,} bot PRs** ({left_out.bot_merged_prs:,} merged) by "
            f"{left_out.bot_logins:,} bot logins: never output.",
        ]
        if unpriced_tokens:
            lines.append(
                f"- **{compact(unpriced_tokens)} unpriced tokens** in this view: counted as tokens, "
                "but a model without a price adds nothing to spend."
            )
        st.markdown("\n".join(lines))
