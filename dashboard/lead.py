"""What every page of aggregates opens with: the headline and what changed, in plain sentences."""

from __future__ import annotations

import streamlit as st

from dashboard.text import markdown
from pipelines.metrics.changes import Lead


def sentences(lead: Lead, headline: str | None = None) -> None:
    """The answer first: the headline (when the page has one) in bold, then what changed against
    the previous period, each sentence escaped (team names come from input files)."""
    with st.container(border=True, key="lead"):
        if headline:
            st.markdown(f"**{markdown(headline)}**")
        st.markdown("\n".join(f"- {markdown(s)}" for s in lead.sentences))
        st.caption(
            "Useful AI weeks: engineer-weeks with AI use and a merged PR or closed ticket. Each figure is a "
            "ratio of sums over the released weeks of a period; each 95% interval resamples the weeks of "
            "each period. They describe what happened, not what caused it."
        )
