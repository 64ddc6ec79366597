"""Agent-authored work on the Overview: how much of the merged work agents wrote, how its quality
compares with human PRs, and how much merged without a human review. Figures from
pipelines/metrics/agent_work.py, already withheld under k people by the privacy layer."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import tables
from pipelines.metrics.agent_work import AgentWork


def section(work: AgentWork | None, k: int) -> None:
    st.markdown("**Agent-authored work** (PRs written by coding agents, credited to who delegated them):")
    if work is None:
        st.caption(f"Fewer than {k} people in view are credited with agent-authored PRs, so none is shown.")
        return
    share, unreviewed, agents = st.columns(3)
    interval = (
        f"; 95% interval {work.share_ci95[0]:.0%} to {work.share_ci95[1]:.0%}" if work.share_ci95 else ""
    )
    share.metric(
        "Agent share of merged PRs",
        "–" if work.share is None else f"{work.share:.0%}",
        help=f"{work.agent_merged_prs:,} of {work.merged_prs:,} merged PRs{interval}.",
        border=True,
    )
    without = work.without_human_review_share
    unreviewed.metric(
        "Agent PRs merged without human review",
        f"{work.without_human_review:,}",
        delta=None if without is None else f"{without:.0%} of those whose reviews were read",
        delta_color="off",
        help="No approval before merge by anyone but the author and the delegator.",
        border=True,
    )
    agents.metric("People delegating to agents", f"{work.agent_people:,}", border=True)
    if work.weekly.height > 1:
        st.line_chart(
            work.weekly.filter(~pl.col("suppressed")),
            x="week",
            y="agent_share",
            x_label="Week",
            y_label="Agent share of merged PRs",
            height=160,
        )
    st.dataframe(
        work.by_origin.drop("suppressed", strict=False),
        hide_index=True,
        column_config={  # plain headers (dashboard/tables.py); intervals as % like the rate
            **tables.column_config(work.by_origin),
            **{
                c: st.column_config.NumberColumn(label, format="percent")
                for c, label in (
                    ("revert_rate", "Revert rate"),
                    ("revert_rate_low", "Revert rate, 95% low"),
                    ("revert_rate_high", "Revert rate, 95% high"),
                )
            },
        },
    )
    st.caption(f"Method: {work.method} {work.caveat}")
