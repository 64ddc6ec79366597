"""pull_requests.parquet: the merged-PR counts of the truth, laid out as real pull requests.

Each person's merged PRs in a week are exactly the Poisson draws from their merged-PR rate,
merged in that week's office hours (so counting by ISO week of merged_at gives them back).
About 15% of human PRs never merge. Dependency bots open PRs in every repo; about 1% of merged
human PRs revert an earlier PR of the same repo merged at most 21 days before.

A growing share of the merged PRs (4% in the first week, 25% in the last) is agent-authored: half
opened by the Copilot coding agent (author `Copilot`, the person as `delegator`, a `copilot/`
branch), half by the person with Claude Code (`agent` "claude"). About 12% of agent PRs merge
without a human approval. These draws use their own generator, so every other figure of the demo
stays as it was; every merged PR is still credited to the person whose rate it was drawn from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demo.period import MICROS_PER_DAY, MICROS_PER_HOUR, Period
from pipelines.demo.vocabulary import DEPENDENCIES, PR_OBJECTS, PR_VERBS, SHARED_REPOS

PULL_REQUESTS_SCHEMA = pa.schema(
    [
        ("repo", pa.string()),
        ("number", pa.int64()),
        ("author", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("merged_at", pa.timestamp("us", tz="UTC")),
        ("additions", pa.int64()),
        ("deletions", pa.int64()),
        ("title", pa.string()),
        ("head_ref", pa.string()),
        ("agent", pa.string()),
        ("delegator", pa.string()),
        ("human_reviewed", pa.bool_()),
    ]
)
BATCH_ROWS = 250_000  # rows per written batch (and Parquet row group)
BOTS = ("dependabot[bot]", "renovate[bot]")
UNMERGED_SHARE = 0.15
TEAM_REPO_SHARE = 0.8  # of a person's PRs that go to their team's repo; the rest to shared repos
REVERT_SHARE = 0.012
REVERT_WINDOW_MICROS = 21 * MICROS_PER_DAY
BOT_PRS_PER_REPO_WEEK = 0.6
BOT_MERGE_SHARE = 0.7
MERGED_WEEKDAY_WEIGHTS = np.array([0.22, 0.22, 0.21, 0.20, 0.15])
AGENT_SEED = 16  # the agent draws' own generator: the other draws stay as they were
AGENT_SHARE_FIRST, AGENT_SHARE_LAST = 0.04, 0.25  # of merged human PRs, rising week by week
AGENT_UNREVIEWED_SHARE = 0.12
HUMAN_UNREVIEWED_SHARE = 0.05
COPILOT = "Copilot"


def office_hours_in_week(
    week: np.ndarray, utc_offset_hours: np.ndarray, period: Period, rng: np.random.Generator
) -> np.ndarray:
    """Microsecond timestamps on a weekday of `week`, in local office hours; never leaves the ISO week."""
    weekday = rng.choice(5, size=len(week), p=MERGED_WEEKDAY_WEIGHTS)
    local_hour = np.clip(rng.normal(14.0, 2.5, len(week)), 8.0, 20.0)
    offset = ((local_hour - utc_offset_hours) * MICROS_PER_HOUR).astype(np.int64)
    return period.day_start_micros(7 * week + weekday) + offset


@dataclass(frozen=True)
class PullRequests:
    """Pull requests as numbers: `title` indexes a list of title strings, `merged` is -1 when not merged."""

    repo: np.ndarray
    author: np.ndarray
    created: np.ndarray
    merged: np.ndarray
    additions: np.ndarray
    deletions: np.ndarray
    title: np.ndarray

    @staticmethod
    def concat(parts: list[PullRequests]) -> PullRequests:
        return PullRequests(
            *(np.concatenate([getattr(part, f.name) for part in parts]) for f in fields(PullRequests))
        )


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def human_titles() -> pa.Array:
    return pa.array([f"{verb} {thing}" for verb in PR_VERBS for thing in PR_OBJECTS], pa.string())


def human_prs(
    period: Period,
    merged_pr_rate: np.ndarray,
    team: np.ndarray,
    shared_repos: np.ndarray,
    utc_offset_hours: np.ndarray,
    rng: np.random.Generator,
) -> tuple[PullRequests, int]:
    """Every person's PRs, the merged ones first; and how many merged."""
    people, weeks = merged_pr_rate.shape
    merged_count = rng.poisson(merged_pr_rate).ravel()
    unmerged_count = rng.poisson(merged_pr_rate * UNMERGED_SHARE / (1 - UNMERGED_SHARE)).ravel()
    person, week = np.divmod(
        np.repeat(np.tile(np.arange(people * weeks), 2), np.concatenate([merged_count, unmerged_count])),
        weeks,
    )
    merged_rows, count = int(merged_count.sum()), len(person)
    at = office_hours_in_week(week, utc_offset_hours[person], period, rng)
    lead = (np.clip(rng.lognormal(np.log(20.0), 1.1, count), 0.1, 720.0) * MICROS_PER_HOUR).astype(np.int64)
    is_merged = np.arange(count) < merged_rows
    on_team_repo = (team[person] > 0) & (rng.random(count) < TEAM_REPO_SHARE)
    return PullRequests(
        repo=np.where(on_team_repo, team[person] - 1, rng.choice(shared_repos, size=count)),
        author=person,
        created=np.where(is_merged, at - lead, at),
        merged=np.where(is_merged, at, -1),
        additions=rng.lognormal(np.log(60.0), 1.2, count).astype(np.int64),
        deletions=rng.lognormal(np.log(20.0), 1.3, count).astype(np.int64),
        title=rng.integers(len(PR_VERBS) * len(PR_OBJECTS), size=count),
    ), merged_rows


def bot_prs(
    period: Period, repos: int, first_bot: int, first_title: int, rng: np.random.Generator
) -> tuple[PullRequests, pa.Array]:
    """Dependency-update PRs in every repo (3 repos in 10 use Renovate, the rest Dependabot)."""
    repo, week = np.divmod(
        np.repeat(np.arange(repos * period.weeks), rng.poisson(BOT_PRS_PER_REPO_WEEK, repos * period.weeks)),
        period.weeks,
    )
    count = len(repo)
    renovate = repo % 10 < 3
    created = period.day_start_micros(7 * week) + rng.integers(0, 7 * MICROS_PER_DAY, count)
    merged = created + (rng.lognormal(np.log(24.0), 1.0, count) * MICROS_PER_HOUR).astype(np.int64)
    merges = (rng.random(count) < BOT_MERGE_SHARE) & (merged < period.day_start_micros(period.days))
    dependency = pc.take(
        pa.array(DEPENDENCIES, pa.string()), pa.array(rng.integers(len(DEPENDENCIES), size=count))
    )
    major, minor, patch = (rng.integers(0, top, count) for top in (12, 30, 20))
    version = [pc.cast(pa.array(part), pa.string()) for part in (major, minor, patch, patch + 1)]
    old_version = _join(version[0], ".", version[1], ".", version[2])
    new_version = _join(version[0], ".", version[1], ".", version[3])
    titles = pc.if_else(
        pa.array(renovate),
        _join("Update dependency ", dependency, " to v", new_version),
        _join("Bump ", dependency, " from ", old_version, " to ", new_version),
    )
    return PullRequests(
        repo=repo,
        author=first_bot + renovate.astype(np.int64),
        created=created,
        merged=np.where(merges, merged, -1),
        additions=rng.lognormal(np.log(8.0), 1.0, count).astype(np.int64),
        deletions=rng.lognormal(np.log(6.0), 1.0, count).astype(np.int64),
        title=first_title + np.arange(count),
    ), titles


def find_reverted(
    repo: np.ndarray, created: np.ndarray, merged: np.ndarray, candidate: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(revert rows, reverted rows): each candidate reverts the latest PR of its repo merged
    before it was opened, when that PR merged at most 21 days before the revert merged."""
    if not candidate.any():
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.lexsort((merged, repo))
    seconds = (merged[order] // 1_000_000) - merged.min() // 1_000_000
    sorted_keys = repo[order].astype(np.int64) * 2**32 + seconds
    reverts = np.flatnonzero(candidate)
    probe = repo[reverts].astype(np.int64) * 2**32 + (
        created[reverts] // 1_000_000 - merged.min() // 1_000_000
    )
    position = np.searchsorted(sorted_keys, probe, side="left") - 1
    original = order[np.maximum(position, 0)]
    valid = (
        (position >= 0)
        & (repo[original] == repo[reverts])
        & (merged[reverts] - merged[original] <= REVERT_WINDOW_MICROS)
        & ~candidate[original]
    )
    reverts, original = reverts[valid], original[valid]
    _, first = np.unique(original, return_index=True)  # revert each PR at most once
    first = np.sort(first)  # keep reverts in row order
    return reverts[first], original[first]


@dataclass(frozen=True)
class Agents:
    """Which PRs agents wrote: `kind` 0 none, 1 the Copilot coding agent, 2 Claude Code."""

    kind: np.ndarray
    reviewed: np.ndarray  # a human approved it before merge (meaningful for merged PRs)


def agent_prs(prs: PullRequests, people: int, period: Period) -> Agents:
    """Agent-authored merged human PRs, their share rising linearly over the period."""
    rng = np.random.default_rng(AGENT_SEED)
    count = len(prs.repo)
    start, end = period.day_start_micros(0), period.day_start_micros(period.days)
    progress = np.clip((prs.merged - start) / max(end - start, 1), 0.0, 1.0)
    share = AGENT_SHARE_FIRST + (AGENT_SHARE_LAST - AGENT_SHARE_FIRST) * progress
    chosen = (prs.author < people) & (prs.merged >= 0) & (rng.random(count) < share)
    kind = np.where(chosen, 1 + rng.integers(2, size=count), 0)
    unreviewed = np.where(kind > 0, AGENT_UNREVIEWED_SHARE, HUMAN_UNREVIEWED_SHARE)
    return Agents(kind=kind, reviewed=rng.random(count) >= unreviewed)


def pull_request_batches(
    period: Period,
    merged_pr_rate: np.ndarray,
    team: np.ndarray,
    team_names: list[str],
    utc_offset_hours: np.ndarray,
    logins: list[str],
    rng: np.random.Generator,
) -> Iterator[pa.RecordBatch]:
    """All PRs ordered by repo and number, a batch at a time (strings are made per batch only).

    The last person (the contractor) never reverts.
    """
    people = len(logins)
    team_repos = [f"acme/{name}" for name in team_names[1:]]  # team 0, the CTO's office, has none
    repos = pa.array([*team_repos, *(f"acme/{name}" for name in SHARED_REPOS)], pa.string())
    shared_repos = np.arange(len(team_repos), len(repos))
    humans, merged_rows = human_prs(period, merged_pr_rate, team, shared_repos, utc_offset_hours, rng)
    titles = human_titles()
    bots, bot_titles = bot_prs(period, len(repos), people, len(titles), rng)

    merged_slice = slice(0, merged_rows)  # human merged PRs come first
    candidate = (humans.author[merged_slice] < people - 1) & (rng.random(merged_rows) < REVERT_SHARE)
    reverts, original = find_reverted(
        humans.repo[merged_slice], humans.created[merged_slice], humans.merged[merged_slice], candidate
    )
    revert_titles = _join('Revert "', pc.take(titles, pa.array(humans.title[original])), '"')
    humans.title[reverts] = len(titles) + len(bot_titles) + np.arange(len(reverts))
    humans.additions[reverts], humans.deletions[reverts] = (
        humans.deletions[original],
        humans.additions[original],
    )
    titles = pa.concat_arrays([titles, bot_titles, revert_titles])
    authors = pa.array([*logins, *BOTS], pa.string())

    prs = PullRequests.concat([humans, bots])
    del humans, bots
    order = np.lexsort((np.arange(len(prs.repo)), prs.created, prs.repo))
    prs = PullRequests(*(getattr(prs, column.name)[order] for column in fields(PullRequests)))
    del order
    number = (
        rng.integers(1, 3000, len(repos))[prs.repo]
        + np.arange(len(prs.repo))
        - np.searchsorted(prs.repo, prs.repo)
    )
    agents = agent_prs(prs, people, period)
    timestamp = pa.timestamp("us", tz="UTC")
    agent_names = pa.array([None, "copilot", "claude"], pa.string())
    for start in range(0, len(prs.repo), BATCH_ROWS):
        rows = slice(start, start + BATCH_ROWS)
        merged = prs.merged[rows]
        kind = agents.kind[rows]
        person = pc.take(authors, pa.array(prs.author[rows]))
        by_copilot = pa.array(kind == 1)
        yield pa.RecordBatch.from_arrays(
            [
                pc.take(repos, pa.array(prs.repo[rows])),
                pa.array(number[rows]),
                pc.if_else(by_copilot, COPILOT, person),
                pa.array(prs.created[rows], timestamp),
                pa.array(merged, timestamp, mask=merged < 0),
                pa.array(prs.additions[rows]),
                pa.array(prs.deletions[rows]),
                pc.take(titles, pa.array(prs.title[rows])),
                pc.if_else(by_copilot, _join("copilot/", pc.cast(pa.array(number[rows]), pa.string())), None),
                pc.take(agent_names, pa.array(kind)),
                pc.if_else(by_copilot, person, None),
                pa.array(agents.reviewed[rows], mask=merged < 0),
            ],
            schema=PULL_REQUESTS_SCHEMA,
        )
