"""The sidebar: period, teams and tools widgets turned into one frozen Filters value.

Every page draws the same keyed widgets with persist_state="session", so a choice made on one page
is in session_state on the next; a kept choice the warehouse no longer offers is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import streamlit as st

from dashboard import data, warehouse
from dashboard.text import markdown
from pipelines.metrics.filters import Filters
from pipelines.privacy.viewer import Viewer

PERIOD, TEAMS, TOOLS = "filter_period", "filter_teams", "filter_tools"


def week_label(week: date) -> str:
    return f"{week.day} {week:%b %Y}"


def _drop_stale(key: str, valid: Callable[[Any], bool]) -> None:
    """Forget a kept choice that the warehouse no longer offers (a new build was swapped in)."""
    if key in st.session_state and not valid(st.session_state[key]):
        del st.session_state[key]


def _period(weeks: Sequence[date]) -> tuple[date | None, date | None]:
    if not weeks:
        st.caption("No weeks with data in this warehouse.")
        return None, None
    if len(weeks) == 1:
        st.caption(f"Period: the week of {week_label(weeks[0])}")
        return weeks[0], weeks[0]
    _drop_stale(PERIOD, lambda v: isinstance(v, tuple | list) and len(v) == 2 and all(w in weeks for w in v))
    start, end = st.select_slider(
        "Period (weeks starting on Monday)",
        options=list(weeks),
        value=(weeks[0], weeks[-1]),
        format_func=week_label,
        key=PERIOD,
        persist_state="session",
    )
    return start, end


def _multiselect(key: str, label: str, options: list[str], **kwargs: Any) -> tuple[str, ...]:
    _drop_stale(key, lambda chosen: all(v in options for v in chosen))
    chosen = st.multiselect(label, options, default=[], key=key, persist_state="session", **kwargs)
    return tuple(sorted(chosen))


def sidebar(viewer: Viewer) -> Filters:
    """Draw the filters in the sidebar and return what they select (teams: the units of the release
    in the viewer's scope; tools: for whole-organization viewers without a team selection)."""
    weeks, teams, tools = warehouse.weeks(), data.teams(viewer), data.tools()
    token_tools = tools.filter("reports_tokens")["tool"].to_list()
    activity_tools = tools.filter(~tools["reports_tokens"])["tool"].to_list()
    with st.sidebar:
        st.header("Filters")
        start, end = _period(weeks)
        chosen_teams = _multiselect(TEAMS, "Teams", teams, placeholder="All teams")
        # tools are released for the whole organization only (docs/privacy.md): no tool filter
        # for a manager's org, or beside a team selection
        by_tool = viewer.sees_whole_org and not chosen_teams
        chosen_tools = _multiselect(
            TOOLS,
            "AI tools",
            tools["tool"].to_list(),
            placeholder="All tools" if by_tool else "All tools (whole organization only)",
            format_func=lambda t: f"{t} (activity only)" if t in activity_tools else t,
            disabled=not by_tool,
        )
        if not by_tool:
            chosen_tools = ()
        st.caption(_tools_note(token_tools, activity_tools))
    return Filters(start=start, end=end, teams=chosen_teams, tools=chosen_tools)


def _tools_note(token_tools: list[str], activity_tools: list[str]) -> str:
    note = f"Report tokens: {', '.join(map(markdown, token_tools)) or 'none'}."
    if activity_tools:
        note += (
            f" Report only activity, no tokens: {', '.join(map(markdown, activity_tools))}. Their users count as AI users"
            " in the active rate but add no tokens or spend."
        )
    return note
