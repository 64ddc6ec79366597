"""The demo organization: a fictional company's AI usage and engineering output, in the contract.

It exists so tokenyield can be tried without real exports, and so every estimator can be
checked against a known truth (`DemoTruth`): the generator builds in a within-person
elasticity of output on tokens, an adoption lift, selection of productive people into heavy
use, tokenmaxxers (spend jumping 3-10x for weeks with flat output, some of it agent loops running
overnight), a heavy tail of usage and staggered adoption. `generate` writes the input
folder described in docs/data-contract.md; the same seed and arguments give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipelines.demo.behaviour import MEDIAN_WEEKLY_TOKENS, RAMP_UP, WEEKLY_LOG_SD, plan_behaviour
from pipelines.demo.daily import write_days
from pipelines.demo.files import write_csv, write_parquet_batches
from pipelines.demo.habits import draw_habits
from pipelines.demo.identities import identities_frame, open_accounts, user_directory
from pipelines.demo.org import ENGINEER, NOT_EMPLOYED_YET, build_org, cost_bands_frame, people_frame
from pipelines.demo.period import period_ending
from pipelines.demo.pull_requests import PULL_REQUESTS_SCHEMA, pull_request_batches
from pipelines.demo.tickets import tickets_frame
from pipelines.demo.tools import TYPICAL_TOKENS_PER_REQUEST
from pipelines.demo.usage import UsagePlan

__all__ = ["DemoReport", "DemoTruth", "generate"]

ORG_STREAM, HABITS_STREAM, BEHAVIOUR_STREAM, ACCOUNTS_STREAM, PRS_STREAM, TICKETS_STREAM = range(1, 7)
REQUEST_SIZE_GROWTH = 0.4  # tokens per request grow as (typical tokens)^0.4: heavy users send longer contexts


@dataclass(frozen=True)
class DemoTruth:
    """The known truth the generator builds in, so estimators can be checked against it.

    In weeks of AI use, ln E[merged PRs] = ln base + adoption_lift + elasticity_within x
    (ln weekly tokens - ln typical weekly tokens); adoption_lift is on that log scale.
    `selection` is the correlation over people (tokenmaxxers aside) of ln base and ln typical
    tokens; tokens are all four kinds added up (input, output, cache read, cache write). The
    top-decile multiple uses the efficiency curve's definitions (docs/metrics.md): mean weekly
    tokens over a person's weeks in scope, deciles as ntile(10) cuts them.
    """

    # within-person: d ln(E[merged PRs]) / d ln(weekly tokens), for everyone but tokenmaxxers (whose
    # extra burn has no effect on output by design)
    elasticity_within: float = 0.12
    # +15% merged PRs per week after a person's first AI week (before the token effect)
    adoption_lift: float = 0.15
    # correlation between a person's baseline output (log) and their usage intensity (log)
    selection: float = 0.5
    # people whose tokens jump 3-10x for an episode of weeks with their output flat
    tokenmaxxer_share: float = 0.02
    # of tokenmaxxers, those whose episode is an agent loop running around the clock, nights included
    looping_share: float = 0.5
    # target ratio of top-decile median to overall median of mean weekly tokens among AI users
    top_decile_token_multiple: float = 10.0

    def adoption_ratio(self, weeks_since_adoption: int) -> float:
        """E[merged PRs | adopted] / E[merged PRs | not adopted] in a person's n-th week of AI use
        (0 = the first AI week), for people who are not tokenmaxxers.

        It is exp(adoption_lift) only once the ramp-up is over: in the first weeks tokens run below
        the person's typical level (RAMP_UP), and the token effect pulls the ratio down with them.
        The weekly wobble d ~ N(-ramp, WEEKLY_LOG_SD^2) adds E[exp(elasticity x d)]'s variance term.
        """
        ramp = RAMP_UP[weeks_since_adoption] if 0 <= weeks_since_adoption < len(RAMP_UP) else 0.0
        log_ratio = self.adoption_lift - self.elasticity_within * ramp
        return float(np.exp(log_ratio + (self.elasticity_within * WEEKLY_LOG_SD) ** 2 / 2))


@dataclass(frozen=True)
class DemoReport:
    out_dir: Path
    people: int
    weeks: int
    first_week: date  # Monday of the first ISO week
    last_week: date  # Monday of the last ISO week
    rows: dict[str, int]  # rows written per table
    # the known truth about people, by person_id: who burns tokens with no effect on output, the
    # week indexes (0 = the period's first week) of each tokenmaxxer's episode, those of them that are
    # overnight agent loops, and the index of each person's first AI week (negative = before the
    # period; >= weeks = never), so estimators can be checked against it
    tokenmaxxers: tuple[str, ...] = ()
    first_ai_week: dict[str, int] | None = None
    tokenmaxxing_weeks: dict[str, tuple[int, ...]] | None = None
    looping: tuple[str, ...] = ()


def _check(people: int, seed: int, truth: DemoTruth) -> None:
    if people < 10:
        raise ValueError(f"people must be at least 10, got {people}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, got {seed}")
    if not -1 < truth.selection < 1:
        raise ValueError(f"truth.selection must be between -1 and 1, got {truth.selection}")
    if not 0 <= truth.looping_share <= 1:
        raise ValueError(f"truth.looping_share must be between 0 and 1, got {truth.looping_share}")
    if not 0 <= truth.tokenmaxxer_share <= 0.2:
        raise ValueError(f"truth.tokenmaxxer_share must be between 0 and 0.2, got {truth.tokenmaxxer_share}")
    if truth.top_decile_token_multiple <= 1:
        raise ValueError(
            f"truth.top_decile_token_multiple must exceed 1, got {truth.top_decile_token_multiple}"
        )


def generate(
    out_dir: Path,
    people: int = 500,
    weeks: int = 26,
    seed: int = 7,
    end: date | None = None,
    truth: DemoTruth = DemoTruth(),
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Write the demo organization's input folder into `out_dir` and say what was written.

    `end` is the last Sunday of the period (default: the last Sunday before today, UTC);
    `progress(done, total)` is called after each day of ai_usage is written. Files of an earlier
    run are overwritten, and its `ai_usage/date=*` folders removed, so no stale day survives.
    """
    _check(people, seed, truth)
    period = period_ending(end, weeks)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    def stream(stream_id: int) -> np.random.Generator:
        return np.random.default_rng([seed, stream_id])

    rng = stream(ORG_STREAM)
    org = build_org(people, period, rng)
    # Everyone the generator simulates: the employees, then the outside contractor.
    contractor = people
    team = np.append(org.team, rng.integers(1, len(org.team_names)))
    role = np.append(org.role, ENGINEER)
    employed = np.vstack([org.employed_weeks(weeks), np.ones((1, weeks), dtype=bool)])
    start_week = np.append(org.start_day // 7, NOT_EMPLOYED_YET // 7)
    in_org = np.arange(people + 1) < people
    tokenmaxxer = np.zeros(people + 1, dtype=bool)
    # tokenmaxxers are engineers employed through the period, so each episode has a history before it
    engineers = np.flatnonzero((org.role == ENGINEER) & employed[:people].all(axis=1))
    planted = min(round(truth.tokenmaxxer_share * people), len(engineers))
    tokenmaxxer[rng.choice(engineers, size=planted, replace=False)] = True
    looper = np.zeros(people + 1, dtype=bool)
    maxxers = np.flatnonzero(tokenmaxxer)
    looper[rng.choice(maxxers, size=math.ceil(truth.looping_share * len(maxxers)), replace=False)] = True

    habits = draw_habits(team, weeks, tokenmaxxer, contractor, stream(HABITS_STREAM))
    behaviour = plan_behaviour(
        role, employed, start_week, habits.first_ai_week, tokenmaxxer, in_org, truth, stream(BEHAVIOUR_STREAM)
    )
    accounts = open_accounts(org, habits, stream(ACCOUNTS_STREAM))

    rows = {
        "people": write_csv(people_frame(org, period), out_dir / "people.csv"),
        "identities": write_csv(identities_frame(org, accounts), out_dir / "identities.csv"),
        "cost_bands": write_csv(cost_bands_frame(), out_dir / "cost_bands.csv"),
    }
    # Each table is written as it is built and not kept, so memory stays low for large orgs.
    prs = pull_request_batches(
        period,
        behaviour.merged_pr_rate,
        team,
        org.team_names,
        habits.utc_offset_hours,
        accounts.github_login,
        stream(PRS_STREAM),
    )
    rows["pull_requests"] = write_parquet_batches(
        prs, PULL_REQUESTS_SCHEMA, out_dir / "pull_requests.parquet"
    )
    tickets = tickets_frame(
        period,
        behaviour.merged_pr_rate[:people],
        org.team,
        org.team_names,
        habits.utc_offset_hours[:people],
        [account or "" for account in accounts.jira_account_id[:people]],
        org.email,
        stream(TICKETS_STREAM),
    )
    rows["tickets"] = write_csv(tickets, out_dir / "tickets.csv")
    del tickets
    pa.default_memory_pool().release_unused()

    plan = UsagePlan(
        period=period,
        weekly_tokens=behaviour.weekly_tokens,
        tokens_per_request=TYPICAL_TOKENS_PER_REQUEST
        * (behaviour.typical_tokens / MEDIAN_WEEKLY_TOKENS) ** REQUEST_SIZE_GROWTH,
        looping=behaviour.maxxing & looper[:, None],
        habits=habits,
        users=user_directory(org, accounts, habits),
    )
    rows["ai_usage"], rows["ai_activity"] = write_days(
        out_dir, plan, behaviour.merged_pr_rate, seed, progress
    )
    return DemoReport(
        out_dir=out_dir,
        people=people,
        weeks=weeks,
        first_week=period.first_monday,
        last_week=period.last_monday,
        rows=rows,
        tokenmaxxers=tuple(org.person_id[i] for i in np.flatnonzero(tokenmaxxer[:people])),
        first_ai_week={
            pid: int(week) for pid, week in zip(org.person_id, habits.first_ai_week[:people], strict=True)
        },
        tokenmaxxing_weeks={
            org.person_id[i]: tuple(int(w) for w in np.flatnonzero(behaviour.maxxing[i]))
            for i in np.flatnonzero(tokenmaxxer[:people])
        },
        looping=tuple(org.person_id[i] for i in np.flatnonzero(looper[:people])),
    )
