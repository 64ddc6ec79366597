"""Teams: the Overview figures per team, side by side, in name order."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, exports, guardrails, layout

viewer, filters = layout.begin("Teams", "The Overview figures for each team, teams in name order.")
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
        "tokens": st.column_config.NumberColumn("tokens", format="compact"),
        "cost_usd": st.column_config.NumberColumn("AI spend", format="dollar"),
        "merged_prs": st.column_config.NumberColumn("merged PRs"),
        "merged_prs_per_engineer_week": st.column_config.NumberColumn("merged PRs / eng-week", format="%.2f"),
        "closed_tickets": st.column_config.NumberColumn("closed tickets"),
        "cost_per_merged_pr": st.column_config.NumberColumn("cost / merged PR", format="dollar"),
    },
)
st.caption(
    "Team figures add up to the organization's: unmatched identities and bots are in no team "
    "(see the Overview's note). Teams are people's current teams. "
    f"A team under {viewer.k} people shows no figures; so that no one can subtract it from the total, "
    "the next smallest team is then blanked too."
)
exports.table(table, "teams", viewer.k)
st.markdown(
    "**Quality guardrails per team**, beside the throughput above (means; 95% intervals on the Methods page):"
)
guardrails.table(data.guardrails(viewer, filters), "team", viewer.k)
exports.chart(charts.team_active_rates(data.team_weekly(viewer, filters), target), "team-active-rates")
