"""Tokens against people cost, at the end of the Efficiency page: AI spend as a share of people cost
(per week and per team, beside the 50% line Nvidia's CEO named), the marginal cost of one more
merged PR through tokens beside the average people cost per merged PR. Figures from
pipelines/metrics/people_cost.py, already released under the privacy rules; numbers written by
pipelines/formats.py."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, exports
from dashboard.charts import people_cost as charts
from pipelines import formats
from pipelines.metrics import people_cost
from pipelines.metrics.filters import Filters
from pipelines.privacy.viewer import Viewer

UNIT_COLUMNS = people_cost.UNIT_COLUMNS


def section(viewer: Viewer, filters: Filters) -> None:
    st.subheader("Tokens against people cost")
    figures = data.people_cost(viewer, filters)
    if not figures.enabled:
        st.info(people_cost.TURN_ON, icon=":material/toggle_off:")
        return
    if filters.tools:
        st.caption("People cost is not split by tool: these figures cover every tool.")
    share, marginal, average = st.columns(3)
    share.metric(
        "AI spend ÷ people cost",
        formats.pct(figures.share, 2),
        help=f"{formats.usd(figures.cost_usd)} of AI spend against {formats.usd(figures.people_cost_usd)} "
        "of people cost, over the same released weeks.",
        border=True,
    )
    m = figures.marginal
    interval = f"95% interval {formats.usd(m.ci95[0])} to {formats.usd(m.ci95[1])}" if m.ci95 else None
    marginal.metric(
        "One more merged PR through tokens",
        formats.usd(m.value),
        delta=interval,
        delta_color="off",
        delta_arrow="off",  # an interval, not a change
        help=f"At a weekly spend of {formats.usd(m.weekly_spend)} per AI user." if m.weekly_spend else None,
        border=True,
    )
    average.metric(
        "People cost per merged PR (average)",
        formats.usd(figures.people_cost_per_merged_pr),
        help=f"Over {formats.count(figures.merged_prs)} merged PRs.",
        border=True,
    )
    st.caption(
        f"Method, share: {figures.share_method}  \nMethod, one more PR through tokens: {m.method}  \n"
        f"Method, people cost per PR: {figures.average_method}"
    )
    if m.value is None:
        st.caption(
            f"The marginal cost needs the spend–output curve and its middle deciles, each over {viewer.k}+ "
            "AI users, and a rising curve: not available in this view."
        )
    st.info(f"{people_cost.REFERENCE_NOTE} {figures.caveat}", icon=":material/info:")
    over_time, by_team = st.columns(2, gap="medium")
    exports.chart(charts.share_over_time(figures.weekly), "people-cost-share", over_time)
    exports.chart(charts.share_by_unit(figures.units), "people-cost-share-by-team", by_team)
    _units_table(figures.units, viewer.k)
    if figures.unbanded_people:
        st.warning(
            f"{formats.count(figures.unbanded_people)} people have a level with no cost band; they are "
            "costed at their team's average band. The Data page lists the levels.",
            icon=":material/warning:",
        )


def _units_table(units: pl.DataFrame, k: int) -> None:
    """Each team over the period, in name order; numbers as pipelines/formats.py writes them (a
    dataframe cell is plain text, never Markdown)."""
    if units.is_empty():
        return
    shown = units.select(UNIT_COLUMNS)
    display = pl.DataFrame(
        {formats.label(c): [formats.text(v, c) for v in shown[c].to_list()] for c in UNIT_COLUMNS}
    )
    st.dataframe(display, hide_index=True, height="content")
    exports.table(shown, "people-cost-by-team", k)
