"""Teams: the organization broken down by the org tree, one level at a time, in name order."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from dashboard import charts, data, exports, guardrails, layout
from dashboard.text import markdown
from pipelines import formats

viewer, filters = layout.begin(
    "Teams",
    "Your organization by the org tree: each org's figures sum the teams in it. Open an org to see "
    "its orgs and teams; rows are in name order.",
)
if filters.tools:  # tools are released for the whole organization only (docs/privacy.md)
    st.info(
        "The tool filter does not apply to this page: figures by tool are released for the whole "
        "organization only, so each team's figures here cover every tool.",
        icon=":material/info:",
    )
    filters = replace(filters, tools=())
target = data.adoption_target()

# ---- the drill-down: one select box per level, the breadcrumb above the figures ----
path: tuple[str, ...] = ()
level = data.team_level(viewer, filters, path)
boxes = st.columns(4)
while level.level.openable():
    names = dict(level.level.openable())
    choice = boxes[len(path) % 4].selectbox(
        f"Within {level.level.crumbs[-1][1]}" if path else "Org",
        ["", *names],
        format_func=lambda key, names=names: names[key] if key else "All",
        key="teams_org_" + "_".join(path),
        help="Open an org to see the orgs and teams in it.",
    )
    if not choice:
        break
    path += (choice,)
    level = data.team_level(viewer, filters, path)
if filters.teams:
    st.markdown("**Org:** the teams chosen in the team filter, side by side")
else:
    st.markdown("**Org:** " + " › ".join(["All", *(markdown(label) for _, label in level.level.crumbs)]))

table = level.table
hidden = table.filter(pl.col("suppressed"))
shown = table.filter(~pl.col("suppressed"))
pages = max(1, -(-shown.height // charts.PAGE_ROWS))
page = 1
if pages > 1:
    page = st.selectbox(
        "Rows",
        range(1, pages + 1),
        format_func=lambda p: (
            f"{(p - 1) * charts.PAGE_ROWS + 1}–{min(p * charts.PAGE_ROWS, shown.height)} of {shown.height}"
        ),
        key="teams_page_" + "_".join(path),
    )
on_page = shown.slice((page - 1) * charts.PAGE_ROWS, charts.PAGE_ROWS)

# ---- the table: every row shown, a row with nothing released summed up in one line ----
COLUMNS = (
    "team", "teams", "people", "person_weeks", "active_rate_period", "active_rate_latest", "useful_ai_rate",
    "tokens", "cost_usd", "usage_coverage", "merged_prs", "merged_prs_per_engineer_week", "closed_tickets",
    "cost_per_merged_pr",
)  # fmt: skip
FORMAT = {"pct": "%.0f%%", "usd": "dollar", "usd_cents": "dollar", "compact": "compact", "count": "localized",
          "rate": "%.2f", "decimal": "%.2f"}  # fmt: skip


def _column(column: str) -> object:
    if column == "team":
        return st.column_config.TextColumn("Org or team", pinned=True)
    if column == "teams":
        return st.column_config.NumberColumn("Teams in it", format="localized")
    return st.column_config.NumberColumn(formats.label(column), format=FORMAT.get(formats.kind(column)))


percents = [c for c in COLUMNS if formats.kind(c) == "pct"]  # shown as 44%, as formats.pct writes them
st.dataframe(
    shown.select(COLUMNS).with_columns(pl.col(percents) * 100),
    hide_index=True,
    height=min(shown.height, 15) * 35 + 38,
    column_config={column: _column(column) for column in COLUMNS},
)
if shown.is_empty():
    st.info(
        f"Nothing at this level is released for the period: each team has fewer than {viewer.k} people "
        "in every week, or is withheld so that nothing can be subtracted out. Choose a longer period.",
        icon=":material/visibility_off:",
    )
if hidden.height:
    reasons = sorted(set(hidden["reason"].drop_nulls().to_list()))
    what = "team" if hidden.height == 1 else "teams"
    why = (
        f"under {viewer.k} people" if reasons == [f"fewer than {viewer.k} people"] else "withheld for privacy"
    )
    named = f": {markdown(', '.join(hidden['team'].to_list()))}" if hidden.height <= 5 else ""
    st.caption(f"{hidden.height} {what} {why} {'is' if hidden.height == 1 else 'are'} not shown{named}.")
st.caption(
    "An org is a manager's team and every team below it; a small team is counted in its parent's "
    '("… org (N teams)"). Each figure sums released weeks only: a week with fewer than '
    f"{viewer.k} people, or fewer than {viewer.k} AI users for tokens and spend, is left out (Spend shown "
    "says how much of the engineer-weeks have their spend in the sum), and so is any week withheld "
    "so that nothing can be subtracted out. Unmatched identities and bots are in no team."
)
exports.table(table, "teams", viewer.k)

exports.chart(charts.team_heatmap(level.weekly, target, on_page["team"].to_list()), "team-active-rates")
exports.chart(charts.team_figures(on_page, target), "teams-side-by-side")

with st.expander("Quality guardrails per team (every team of your view)"):
    st.markdown(
        "**Quality guardrails per team**, beside the throughput (means; 95% intervals on the Methods page):"
    )
    # scrolls: a large organization has hundreds of teams
    withheld = data.estimates_withheld(viewer, filters)
    if withheld:
        st.caption(f"The guardrails are estimates: {markdown(withheld)}")
    else:
        guardrails.table(data.guardrails(viewer, filters), "team", viewer.k, height=420)
