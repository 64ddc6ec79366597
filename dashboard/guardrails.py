"""The quality guardrails, drawn beside throughput: more merged PRs only count if quality holds."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.metrics.analytics import Guardrails


def strip(guard: Guardrails, k: int) -> None:
    """Four small metrics with their 95% intervals, for the view as a whole."""
    row = guard.overall.row(0, named=True) if guard.overall.height else None
    if row is None or row.get("suppressed"):
        st.caption(f"Quality guardrails are not shown: fewer than {k} people in view.")
        return
    st.markdown("**Quality guardrails** beside the throughput above:")
    reverts, size, merge, bugs = st.columns(4)

    def interval(name: str, scale: float = 1.0, fmt: str = "{:.1f}") -> str:
        low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
        if low is None or high is None:
            return ""
        if scale == 100:  # a share: its interval stays within 0-100%
            low, high = max(low, 0.0), min(high, 1.0)
        return f"{fmt.format(low * scale)} to {fmt.format(high * scale)}"

    def value(name: str, scale: float = 1.0, fmt: str = "{:.1f}") -> str:
        return "–" if row.get(name) is None else fmt.format(row[name] * scale)

    reverts.metric(
        "Reverted ≤21 d",
        value("revert_rate", 100, "{:.1f}%"),
        border=True,
        help=f"Share of merged PRs reverted within 21 days; 95% interval {interval('revert_rate', 100, '{:.1f}%')}.",
    )
    size.metric(
        "Lines per PR",
        value("lines_per_pr", 1, "{:,.0f}"),
        border=True,
        help=f"Additions + deletions per merged PR; 95% interval {interval('lines_per_pr', 1, '{:,.0f}')}.",
    )
    merge.metric(
        "Hours to merge",
        value("hours_to_merge", 1, "{:,.1f}"),
        border=True,
        help=f"Mean hours from a PR's opening to its merge; 95% interval {interval('hours_to_merge')}.",
    )
    bugs.metric(
        "Bug share",
        value("bug_share", 100, "{:.0f}%"),
        border=True,
        help=f"Closed tickets that are bugs; 95% interval {interval('bug_share', 100, '{:.0f}%')}.",
    )
    spans = [
        (name, interval(column, scale, fmt))
        for name, column, scale, fmt in (
            ("reverted", "revert_rate", 100, "{:.1f}%"),
            ("lines per PR", "lines_per_pr", 1, "{:,.0f}"),
            ("hours to merge", "hours_to_merge", 1, "{:.1f}"),
            ("bug share", "bug_share", 100, "{:.0f}%"),
        )
    ]
    shown = "; ".join(f"{name} {span}" for name, span in spans if span)
    if shown:
        st.caption(f"95% intervals: {shown}.")
    adjusted = row.get("quality_adjusted_prs_per_engineer_week")
    if adjusted is not None:
        st.caption(
            f"Quality-adjusted output (reverted PRs and the reverts left out): {adjusted:.2f} merged PRs per "
            f"engineer-week. Method: {guard.method}"
        )


COLUMNS = [
    "people",
    "revert_rate",
    "lines_per_pr",
    "hours_to_merge",
    "bug_share",
    "quality_adjusted_prs_per_engineer_week",
]
COLUMN_CONFIG = {
    "team": st.column_config.TextColumn("Team"),
    "decile": st.column_config.NumberColumn("Usage decile", format="%d"),
    "people": st.column_config.NumberColumn("People", format="localized"),
    "revert_rate": st.column_config.NumberColumn("Reverted within 21 days", format="%.1f%%"),
    "lines_per_pr": st.column_config.NumberColumn("Lines per PR", format="%.0f"),
    "hours_to_merge": st.column_config.NumberColumn("Hours to merge", format="%.1f"),
    "bug_share": st.column_config.NumberColumn("Bug share of tickets", format="%.0f%%"),
    "quality_adjusted_prs_per_engineer_week": st.column_config.NumberColumn(
        "Quality-adjusted merged PRs per engineer-week", format="%.2f"
    ),
}


def table(guard: Guardrails, by: str, k: int, height: int | str = "content") -> None:
    """The guardrails per team or decile, drawn beside that grouping's throughput; groups under k
    people collapse into one line under the table."""
    shown, hidden = by_group(guard, by, k)
    what = "teams" if by == "team" else "deciles"
    if shown.height:
        st.dataframe(shown, hide_index=True, height=height, column_config=COLUMN_CONFIG)
    if hidden:
        st.caption(f"{hidden} {what} with fewer than {k} people are not shown.")
    elif shown.is_empty():
        st.caption("Nothing to show in this view.")


def by_group(guard: Guardrails, by: str, k: int) -> tuple[pl.DataFrame, int]:
    """The guardrails of the groups shown (never a number for a group under k people), in name
    order, and how many groups were left out."""
    frame = guard.by_team if by == "team" else guard.by_decile
    if frame.is_empty():
        return frame, 0
    shown = frame.select([c for c in [by, *COLUMNS, "suppressed"] if c in frame.columns])
    hidden = 0
    if "suppressed" in shown.columns:
        hidden = int(shown["suppressed"].fill_null(True).sum())
        shown = shown.filter(~pl.col("suppressed").fill_null(True)).drop("suppressed")
    shares = [c for c in ("revert_rate", "bug_share") if c in shown.columns]  # shown as % (×100)
    return shown.with_columns(pl.col(c) * 100 for c in shares).sort(by), hidden
