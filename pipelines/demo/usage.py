"""One day of ai_usage, at request grain, built with numpy for everyone at once.

A person's weekly tokens are spread over the days of the week, split between their tools,
and cut into requests of uneven size that add up to the day's budget, so the weekly totals
in the files are the weekly tokens the truth was built on. Ordinary people work their local
office hours; in the weeks of an agent loop (some tokenmaxxers), the person's requests are equal in
size and run in long uniform bursts through the night, every day of the week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demo.habits import Habits
from pipelines.demo.identities import UserDirectory
from pipelines.demo.period import MICROS_PER_DAY, Period
from pipelines.demo.tools import (
    COPILOT_ID,
    CURSOR_ID,
    LITELLM_ID,
    MODEL_NAMES,
    TOOL_NAMES,
    TOOLS,
    model_choice_table,
    price_matrix,
)

AI_USAGE_SCHEMA = pa.schema(
    [
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("user", pa.string()),
        ("tool", pa.string()),
        ("model", pa.string()),
        ("input_tokens", pa.int64()),
        ("output_tokens", pa.int64()),
        ("cache_read_tokens", pa.int64()),
        ("cache_write_tokens", pa.int64()),
        ("requests", pa.int64()),
        ("cost_usd", pa.float64()),
        ("event_id", pa.string()),
        ("tokens_reported", pa.bool_()),
    ]
)
COPILOT_CHATS_PER_DAY = (6.0, 2.0)  # weekday, weekend
SECOND_KEY_SHARE = 0.3  # of a two-key LiteLLM user's requests that go through the CI key
PERSON_ID_USER_SHARE = 1e-4  # rows whose user is a bare person_id (a gateway that knows HR ids)
_TOKEN_MIX = np.array([tool.token_mix if tool.name != "copilot" else (1, 0, 0, 0) for tool in TOOLS], float)
_RELATIVE_REQUEST_SIZE = np.array([tool.tokens_per_request or 1.0 for tool in TOOLS])
_MODEL_CHOICES = [model_choice_table(tool) for tool in TOOLS]
_PRICES = np.nan_to_num(price_matrix())  # the unpriced model never goes through Cursor
_TOOL_NAMES = pa.array(TOOL_NAMES, pa.string())
_MODEL_NAMES = pa.array(MODEL_NAMES, pa.string())


@dataclass(frozen=True)
class UsagePlan:
    period: Period
    weekly_tokens: np.ndarray  # (people, weeks)
    tokens_per_request: np.ndarray  # per person: heavier users send longer contexts
    looping: np.ndarray  # (people, weeks) bool: weeks of an overnight agent loop
    habits: Habits
    users: UserDirectory


@dataclass(frozen=True)
class DaySegments:
    """One entry per (person, tool) with requests on the day."""

    person: np.ndarray
    tool: np.ndarray
    requests: np.ndarray


def week_day_shares(plan: UsagePlan, week: int, rng: np.random.Generator) -> np.ndarray:
    """(people, 7): how each person spreads a week's tokens over Monday..Sunday (rows sum to 1)."""
    people = len(plan.looping)
    weekdays = rng.gamma(3.0, 1.0, (people, 5)) * (rng.random((people, 5)) > 0.12)
    idle_week = weekdays.sum(axis=1) == 0
    weekdays[idle_week, rng.integers(5, size=int(idle_week.sum()))] = 1.0
    weekend = rng.gamma(2.0, 0.15, (people, 2)) * (rng.random((people, 2)) < 0.5)
    weekend *= plan.habits.weekend_worker[:, None]
    shares = np.concatenate([weekdays, weekend], axis=1)
    shares[plan.looping[:, week]] = 1.0
    return shares / shares.sum(axis=1, keepdims=True)


def day_segments(
    plan: UsagePlan, day: int, budget: np.ndarray, rng: np.random.Generator
) -> tuple[DaySegments, np.ndarray]:
    """The (person, tool) pairs active on `day`, their request counts and token budgets."""
    habits = plan.habits
    active = np.flatnonzero(budget > 0)
    second = active[habits.secondary_tool[active] >= 0]
    copilot = active[habits.copilot[active]]
    person = np.concatenate([active, second, copilot])
    tool = np.concatenate(
        [habits.primary_tool[active], habits.secondary_tool[second], np.full(len(copilot), COPILOT_ID)]
    )
    tokens = np.concatenate(
        [
            budget[active] * (1 - habits.secondary_share[active]),
            budget[second] * habits.secondary_share[second],
            np.zeros(len(copilot)),
        ]
    )
    expected = tokens / (plan.tokens_per_request[person] * _RELATIVE_REQUEST_SIZE[tool])
    requests = 1 + rng.poisson(np.maximum(expected - 1, 0))
    is_copilot = tool == COPILOT_ID
    requests[is_copilot] = rng.poisson(COPILOT_CHATS_PER_DAY[int(day % 7 >= 5)], int(is_copilot.sum()))
    return DaySegments(person, tool, requests), tokens  # Copilot users with no chat today have 0 requests


def _seconds_of_day(
    plan: UsagePlan, day: int, segments: DaySegments, rows: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """UTC second of the day of each request: office hours, or a uniform overnight burst for loops."""
    person = segments.person[rows]
    looping = plan.looping[:, day // 7]
    if day % 7 >= 5:
        local_hour = rng.uniform(9.0, 23.0, len(rows))
    else:
        local_hour = np.clip(rng.normal(13.5, 2.6, len(rows)), 6.5, 22.5)
    seconds = np.mod((local_hour - plan.habits.utc_offset_hours[person]) * 3600.0, 86400.0)
    # a loop starts in the local evening (18:00-23:00) and runs 8 to 14 hours, through the night
    burst_length = rng.uniform(8 * 3600.0, 14 * 3600.0, len(segments.person))
    burst_start = rng.uniform(18 * 3600.0, 23 * 3600.0, len(segments.person))
    position = np.arange(len(rows)) - (np.cumsum(segments.requests) - segments.requests)[rows]
    local = burst_start[rows] + position * burst_length[rows] / segments.requests[rows]
    in_burst = np.mod(local - plan.habits.utc_offset_hours[person] * 3600.0, 86400.0)
    return np.where(looping[person], in_burst, seconds)


def usage_day(
    plan: UsagePlan, day: int, shares: np.ndarray, rng: np.random.Generator
) -> tuple[pa.Table, DaySegments]:
    """ai_usage rows for one day (sorted by time), and the segments they came from."""
    week = day // 7
    segments, segment_tokens = day_segments(plan, day, plan.weekly_tokens[:, week] * shares[:, day % 7], rng)
    rows = np.repeat(np.arange(len(segments.person)), segments.requests)
    person, tool = segments.person[rows], segments.tool[rows]
    row_count = len(rows)

    weight = np.where(plan.looping[person, week], 1.0, rng.lognormal(0.0, 0.8, row_count))
    total = np.rint(segment_tokens[rows] * weight / np.bincount(rows, weight)[rows])
    mix = _TOKEN_MIX[tool] * rng.lognormal(0.0, 0.3, (row_count, 4))
    kinds = np.floor(total[:, None] * mix / mix.sum(axis=1, keepdims=True)).astype(np.int64)
    kinds[:, 0] = total.astype(np.int64) - kinds[:, 1:].sum(axis=1)  # input takes the rounding

    model = np.empty(row_count, dtype=np.int64)
    draw = rng.random(row_count)
    for tool_id, (model_ids, cumulative) in enumerate(_MODEL_CHOICES):
        of_tool = tool == tool_id
        model[of_tool] = model_ids[
            np.searchsorted(cumulative, draw[of_tool], side="right").clip(max=len(model_ids) - 1)
        ]

    users = plan.users
    user = users.by_tool[person, tool]
    ci_key = (
        (tool == LITELLM_ID)
        & (users.second_api_key[person] >= 0)
        & (rng.random(row_count) < SECOND_KEY_SHARE)
    )
    user[ci_key] = users.second_api_key[person[ci_key]]
    bare_id = (
        (rng.random(row_count) < PERSON_ID_USER_SHARE) & (users.person_id[person] >= 0) & (tool != COPILOT_ID)
    )
    user[bare_id] = users.person_id[person[bare_id]]

    seconds = _seconds_of_day(plan, day, segments, rows, rng)
    micros = plan.period.day_start_micros(day) + np.minimum(
        (seconds * 1e6).astype(np.int64), MICROS_PER_DAY - 1
    )
    order = np.argsort(micros, kind="stable")
    micros, user, tool, model, kinds = micros[order], user[order], tool[order], model[order], kinds[order]

    is_cursor = tool == CURSOR_ID
    cost = np.round((kinds * _PRICES[model]).sum(axis=1) / 1e6, 6)
    reported = tool != COPILOT_ID
    event_prefix = f"evt-{plan.period.day(day):%Y%m%d}-"
    table = pa.Table.from_arrays(
        [
            pa.array(micros, pa.timestamp("us", tz="UTC")),
            pc.take(users.names, pa.array(user)),
            pc.take(_TOOL_NAMES, pa.array(tool)),
            pc.take(_MODEL_NAMES, pa.array(model)),
            *(pa.array(kinds[:, k]) for k in range(4)),
            pa.array(np.ones(row_count, dtype=np.int64)),
            pa.array(cost, pa.float64(), mask=~is_cursor),
            pc.binary_join_element_wise(
                event_prefix, pc.cast(pa.array(np.arange(row_count)), pa.string()), ""
            ),
            pa.array(reported),
        ],
        schema=AI_USAGE_SCHEMA,
    )
    return table, segments
