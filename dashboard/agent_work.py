"""Agent-authored work on the Overview: how much of the merged work agents wrote, how its quality
compares with human PRs, and how much merged without a human review. Figures from
pipelines/metrics/agent_work.py, already withheld under k people by the privacy layer."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines import formats
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
        help=f"{work.agent_merged_prs:,} of {work.merged_prs:,} merged PRs{interval}; the line is its weekly trend.",
        border=True,
        # a sparkline, not a chart of its own: one more chart would cost each rerun more than the page
        chart_data=work.weekly["agent_share"].to_list() if work.weekly.height > 1 else None,
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
    st.dataframe(
        _origins(work.by_origin),
        hide_index=True,
        column_config={
            "origin": st.column_config.TextColumn("Written by"),
            "people": st.column_config.TextColumn("People"),
            "merged_prs": st.column_config.TextColumn("Merged PRs"),
            "revert_rate": st.column_config.TextColumn("Revert rate (95% interval)"),
            "lines_per_pr": st.column_config.TextColumn("Lines per PR (95% interval)"),
            "hours_to_merge": st.column_config.TextColumn("Hours to merge (95% interval)"),
        },
    )
    st.caption(f"Method: {work.method} {work.caveat}")


def _origins(by_origin: pl.DataFrame) -> pl.DataFrame:
    """Agent vs human, each estimate with its interval in one cell; a withheld row reads as such."""
    shown = by_origin.drop("suppressed", strict=False)
    cells = {
        "revert_rate": lambda v: formats.pct(v, 1),
        "lines_per_pr": lambda v: formats.decimal(v, 0),
        "hours_to_merge": lambda v: formats.decimal(v, 1),
    }
    rows = []
    for row in shown.iter_rows(named=True):
        out = {
            "origin": row["origin"],
            "people": formats.count(row["people"]),
            "merged_prs": formats.count(row["merged_prs"]),
        }
        for name, fmt in cells.items():
            value, low, high = row.get(name), row.get(f"{name}_low"), row.get(f"{name}_high")
            out[name] = (
                "withheld"
                if value is None
                else fmt(value)
                + (f" ({fmt(low)} to {fmt(high)})" if low is not None and high is not None else "")
            )
        rows.append(out)
    schema = dict.fromkeys(["origin", "people", "merged_prs", *cells], pl.String)
    return pl.DataFrame(rows, schema=schema)
