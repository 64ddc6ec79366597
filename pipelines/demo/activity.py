"""One day of ai_activity: the non-token signals some tools report, per user and day.

Copilot reports suggestions, acceptances and accepted lines (it reports no tokens, so this is
all there is to see of it); Claude Code reports sessions and commits. Commits follow the
person's merged-PR rate that week, so activity tracks output the way real signals do.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demo.tools import CLAUDE_CODE_ID, COPILOT_ID, TOOL_NAMES
from pipelines.demo.usage import DaySegments, UsagePlan

AI_ACTIVITY_SCHEMA = pa.schema(
    [
        ("occurred_on", pa.date32()),
        ("user", pa.string()),
        ("tool", pa.string()),
        ("metric", pa.string()),
        ("value", pa.int64()),
    ]
)
SUGGESTIONS_PER_DAY = 45.0
ACCEPTANCE_RATE = 0.3
EXTRA_LINES_PER_ACCEPTANCE = 1.3
REQUESTS_PER_SESSION = 30.0
COMMITS_PER_MERGED_PR = 3.0


def activity_day(
    plan: UsagePlan, merged_pr_rate: np.ndarray, day: int, segments: DaySegments, rng: np.random.Generator
) -> pa.Table:
    """ai_activity rows for one day: one row per user, tool and metric."""
    copilot = segments.tool == COPILOT_ID
    copilot_people = segments.person[copilot]
    suggestions = rng.poisson(SUGGESTIONS_PER_DAY, len(copilot_people))
    acceptances = rng.binomial(suggestions, ACCEPTANCE_RATE)
    lines_accepted = acceptances + rng.poisson(EXTRA_LINES_PER_ACCEPTANCE * acceptances)

    claude = segments.tool == CLAUDE_CODE_ID
    claude_people = segments.person[claude]
    sessions = 1 + rng.poisson(segments.requests[claude] / REQUESTS_PER_SESSION)
    commits = rng.poisson(merged_pr_rate[claude_people, day // 7] * COMMITS_PER_MERGED_PR / 5)

    blocks = [
        (copilot_people, COPILOT_ID, "suggestions", suggestions),
        (copilot_people, COPILOT_ID, "acceptances", acceptances),
        (copilot_people, COPILOT_ID, "lines_accepted", lines_accepted),
        (claude_people, CLAUDE_CODE_ID, "sessions", sessions),
        (claude_people, CLAUDE_CODE_ID, "commits", commits),
    ]
    user = np.concatenate([plan.users.by_tool[people, tool] for people, tool, _, _ in blocks])
    rows = len(user)
    return pa.Table.from_arrays(
        [
            pa.array(np.full(rows, plan.period.day(day)), pa.date32()),
            pc.take(plan.users.names, pa.array(user)),
            pa.array(
                np.concatenate(
                    [np.full(len(people), TOOL_NAMES[tool]) for people, tool, _, _ in blocks]
                ).astype(str),
                pa.string(),
            ),
            pa.array(
                np.concatenate([np.full(len(people), metric) for people, _, metric, _ in blocks]).astype(str),
                pa.string(),
            ),
            pa.array(np.concatenate([values for _, _, _, values in blocks]).astype(np.int64)),
        ],
        schema=AI_ACTIVITY_SCHEMA,
    )
