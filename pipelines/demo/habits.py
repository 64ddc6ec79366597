"""How each person uses AI, apart from how much: when they start, which tools, which hours.

These draws carry no effect on output; `behaviour.py` builds the amounts and the output on
top of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.demo.tools import CLAUDE_CODE_ID, TOKEN_TOOL_IDS, TOOLS

FIRST_WEEK_ACTIVE_SHARE = 0.28  # of people employed, using AI in the first week
LAST_WEEK_ACTIVE_SHARE = 0.83  # ... and in the last week
SECONDARY_TOOL_SHARE = 0.35  # people with a second token-reporting tool
COPILOT_SHARE = 0.35  # people who also use Copilot (never alone: every AI user reports tokens)
TWO_API_KEYS_SHARE = 0.25  # LiteLLM users with a second key (a CI key beside the laptop key)
MIXED_CASE_EMAIL_SHARE = 0.15  # Cursor users whose SSO email comes back capitalised
WEEKEND_WORKER_SHARE = 0.3
UTC_OFFSETS_HOURS = np.array([-8.0, -5.0, 0.0, 1.0, 2.0, 5.5])  # where teams sit
UTC_OFFSET_WEIGHTS = np.array([0.25, 0.20, 0.10, 0.25, 0.10, 0.10])


@dataclass(frozen=True)
class Habits:
    """One entry per person, contractor last."""

    first_ai_week: np.ndarray  # week index of the first AI week; negative: before the period; >= weeks: never
    primary_tool: np.ndarray  # index into TOOLS
    secondary_tool: np.ndarray  # index into TOOLS, -1 for none
    secondary_share: np.ndarray  # share of the person's tokens that go through the secondary tool
    copilot: np.ndarray  # bool
    two_api_keys: np.ndarray  # bool
    mixed_case_email: np.ndarray  # bool
    weekend_worker: np.ndarray  # bool
    utc_offset_hours: np.ndarray


def adopted_share_by_week(weeks: int) -> np.ndarray:
    """The share of people who have had their first AI week, by week: an S-curve from 28% to 83%."""
    position = np.arange(weeks) / max(weeks - 1, 1)
    s_curve = 1 / (1 + np.exp(-8 * (position - 0.45)))
    span = s_curve[-1] - s_curve[0]  # 0 when there is a single week
    s_curve = (s_curve - s_curve[0]) / span if span > 0 else np.zeros(weeks)
    return FIRST_WEEK_ACTIVE_SHARE + (LAST_WEEK_ACTIVE_SHARE - FIRST_WEEK_ACTIVE_SHARE) * s_curve


def draw_habits(
    team: np.ndarray, weeks: int, tokenmaxxer: np.ndarray, contractor: int, rng: np.random.Generator
) -> Habits:
    size = len(team)
    draw = (rng.permutation(size) + rng.random(size)) / size  # stratified: small orgs keep the curve
    first_ai_week = np.searchsorted(adopted_share_by_week(weeks), draw)  # == weeks when never
    before_period = first_ai_week == 0
    first_ai_week[before_period] = -rng.integers(1, 27, size=int(before_period.sum()))
    first_ai_week[tokenmaxxer] = -rng.integers(1, 27, size=int(tokenmaxxer.sum()))
    first_ai_week[contractor] = -4

    token_tools = np.array(TOKEN_TOOL_IDS)
    weights = np.array([TOOLS[t].adoption_weight for t in token_tools])
    primary = token_tools[rng.choice(len(token_tools), size=size, p=weights / weights.sum())]
    secondary = np.full(size, -1)
    has_secondary = rng.random(size) < SECONDARY_TOOL_SHARE
    for person in np.flatnonzero(has_secondary):
        others = weights * (token_tools != primary[person])
        secondary[person] = token_tools[rng.choice(len(token_tools), p=others / others.sum())]
    secondary_share = np.where(secondary >= 0, rng.uniform(0.1, 0.4, size), 0.0)
    copilot = rng.random(size) < COPILOT_SHARE

    # Tokenmaxxers run agents in Claude Code; the contractor bills us through Claude Code too.
    single_tool = tokenmaxxer.copy()
    single_tool[contractor] = True
    primary[single_tool] = CLAUDE_CODE_ID
    secondary[single_tool] = -1
    secondary_share[single_tool] = 0.0
    copilot[contractor] = False

    team_offsets = rng.choice(UTC_OFFSETS_HOURS, size=team.max() + 1, p=UTC_OFFSET_WEIGHTS)
    return Habits(
        first_ai_week=first_ai_week,
        primary_tool=primary,
        secondary_tool=secondary,
        secondary_share=secondary_share,
        copilot=copilot,
        two_api_keys=rng.random(size) < TWO_API_KEYS_SHARE,
        mixed_case_email=rng.random(size) < MIXED_CASE_EMAIL_SHARE,
        weekend_worker=rng.random(size) < WEEKEND_WORKER_SHARE,
        utc_offset_hours=team_offsets[team],
    )
