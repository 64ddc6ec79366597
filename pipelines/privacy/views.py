"""Every figure a viewer may see, and nothing more: the one way from the warehouse to a viewer.

The dashboard (dashboard/data.py), `summary --as`, `export-charts` and `report` read the warehouse
only through these names. The policy behind them:
- aggregates (aggregates.py) are sums of the release's cells (release.py): the release is made
  safe once per warehouse, so no combination of views reveals more than it;
- scope (scope.py): leaders, analysts and admins see every unit, a manager the units of their own
  org, an individual no aggregate; tools are released for the whole organization only;
- estimates (estimates.py) run on person-weeks under one rule: the people behind an estimate and
  those it leaves out are each none or at least k;
- agent work (agent.py) reads only the release's agent cells; `summary --as` (summary.py) takes
  every key from the above;
- person-level views (people.py): a person's own weeks, to themself and their direct manager.
Nobody gets a table of named people ordered by tokens, spend or output.
"""

from __future__ import annotations

from pipelines.privacy.agent import AGENT_KEYS, agent_work
from pipelines.privacy.aggregates import (
    TeamLevel,
    finance,
    lead,
    period_weeks,
    quality_checks,
    team_level,
    team_weekly,
    teams_table,
    tools,
    unmatched,
    weekly,
)
from pipelines.privacy.estimates import (
    Efficiency,
    analytics,
    density,
    efficiency,
    elasticities,
    guardrails,
    within,
)
from pipelines.privacy.people import direct_reports, person_name, person_weekly
from pipelines.privacy.people_cost import figures as people_cost
from pipelines.privacy.scope import (
    Withheld,
    check_estimate,
    check_selection,
    scope_units,
    scoped,
    selected_units,
    teams,
)
from pipelines.privacy.summary import summary

__all__ = [
    "AGENT_KEYS",
    "Efficiency",
    "TeamLevel",
    "Withheld",
    "agent_work",
    "analytics",
    "check_estimate",
    "check_selection",
    "density",
    "direct_reports",
    "efficiency",
    "elasticities",
    "finance",
    "guardrails",
    "lead",
    "people_cost",
    "period_weeks",
    "person_name",
    "person_weekly",
    "quality_checks",
    "scope_units",
    "scoped",
    "selected_units",
    "summary",
    "team_level",
    "team_weekly",
    "teams",
    "teams_table",
    "tools",
    "unmatched",
    "weekly",
    "within",
]
