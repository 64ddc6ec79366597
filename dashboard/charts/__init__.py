"""Charts as pure functions: a polars frame in, a plotly figure out; no Streamlit here.

Every chart shows groups (weeks, deciles, teams, density cells), never a person: the density is
binned before plotting, so a figure's data holds counts of people and no per-person values.
All share one theme (dashboard/theme.py).
"""

from dashboard.charts import analytics
from dashboard.charts.efficiency import efficiency_curve, usage_output_density
from dashboard.charts.teams import PAGE_ROWS, TEAM_PANELS, team_figures, team_heatmap
from dashboard.charts.weekly import (
    active_rate,
    cost_per_merged_pr,
    merged_prs_per_engineer_week,
    tokens_and_spend,
)

__all__ = [
    "PAGE_ROWS",
    "TEAM_PANELS",
    "active_rate",
    "analytics",
    "cost_per_merged_pr",
    "efficiency_curve",
    "merged_prs_per_engineer_week",
    "team_figures",
    "team_heatmap",
    "tokens_and_spend",
    "usage_output_density",
]
