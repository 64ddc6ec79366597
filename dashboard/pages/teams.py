"""Teams: the Overview figures per team, side by side, in name order."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from dashboard import charts, data, exports, guardrails, layout

viewer, filters = layout.begin("Teams", "The Overview figures for each team, teams in name order.")
if filters.tools:  # tools are released for the whole organization only (docs/privacy.md)
    st.info(
        "The tool filter does not apply to this page: figures by tool are released for the whole "
        "organization only, so each team's figures here cover every tool.",
        icon=":material/info:",
    )
    filters = replace(filters, tools=())
target = data.adoption_target()
table = data.teams_table(viewer, filters)
shown = table.with_columns(
    people=pl.when(pl.col("suppressed"))
    .then(pl.lit(f"fewer than {viewer.k}"))
    .otherwise(pl.col("people").cast(pl.String))
)

exports.chart(charts.team_figures(table, target), "teams-side-by-side")
st.dataframe(
    shown.drop("suppressed"),
    hide_index=True,
    height="content",
    column_config={
        "team": st.column_config.TextColumn("team"),
        "people": st.column_config.TextColumn("people"),
        "person_weeks": st.column_config.NumberColumn("person-wks"),
        "active_rate_period": st.column_config.NumberColumn("active, period", format="percent"),
        "active_rate_latest": st.column_config.NumberColumn("active, last week", format="percent"),
        "useful_ai_rate": st.column_config.NumberColumn("useful AI weeks", format="percent"),
        "tokens": st.column_config.NumberColumn("tokens", format="compact"),
        "cost_usd": st.column_config.NumberColumn("AI spend", format="dollar"),
        "merged_prs": st.column_config.NumberColumn("merged PRs"),
        "merged_prs_per_engineer_week": st.column_config.NumberColumn("merged PRs / eng-week", format="%.2f"),
        "closed_tickets": st.column_config.NumberColumn("closed tickets"),
        "cost_per_merged_pr": st.column_config.NumberColumn("cost / merged PR", format="dollar"),
        "usage_coverage": st.column_config.NumberColumn("spend shown", format="percent"),
    },
)
st.caption(
    "A team is a manager's direct reports, named by their team; a small team is shown inside its "
    "parent's org (\"… org (N teams)\"). Each figure sums the team's released weeks: a week with "
    f"fewer than {viewer.k} people, or fewer than {viewer.k} AI users for tokens and spend, is left "
    'out ("spend shown" says how much), and so is any week withheld so that nothing can be '
    "subtracted out. Unmatched identities and bots are in no team (see the Overview's note)."
)
exports.table(table, "teams", viewer.k)
st.markdown(
    "**Quality guardrails per team**, beside the throughput above (means; 95% intervals on the Methods page):"
)
guardrails.table(data.guardrails(viewer, filters), "team", viewer.k)
exports.chart(charts.team_active_rates(data.team_weekly(viewer, filters), target), "team-active-rates")
