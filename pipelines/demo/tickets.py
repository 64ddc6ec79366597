"""tickets.csv: Jira tickets that track the same output rate as pull requests.

Each person closes Poisson(0.5 x merged-PR rate) tickets a week (about 1 to 2 for an engineer),
resolved in that week's office hours; some more are opened and left open, and each team has
unassigned tickets in its backlog. A quarter are bugs. Each team has its own project key.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.demo.org import unique_names
from pipelines.demo.period import MICROS_PER_DAY, MICROS_PER_HOUR, Period
from pipelines.demo.pull_requests import office_hours_in_week

CLOSED_PER_MERGED_PR = 0.5
LEFT_OPEN_PER_MERGED_PR = 0.12
UNASSIGNED_PER_TEAM_WEEK = 0.8
EMAIL_ASSIGNEE_SHARE = 0.06  # tickets migrated from an old tracker name the assignee by email
ISSUE_TYPES = ("Bug", "Story", "Task")
ISSUE_TYPE_WEIGHTS = (0.25, 0.35, 0.40)
RESOLVED_STATUSES = (("Done", "Won't Do"), (0.93, 0.07))
OPEN_STATUSES = (("To Do", "In Progress", "In Review"), (0.4, 0.4, 0.2))
BACKLOG_STATUSES = (("Backlog", "To Do"), (0.6, 0.4))
STATUSES = ("Done", "Won't Do", "To Do", "In Progress", "In Review", "Backlog")


def project_keys(team_names: list[str]) -> list[str]:
    """A Jira project key per team: PAY for payments, SEARCHR for search-ranking, ..."""
    keys = []
    for name in team_names:
        if name == "office-of-the-cto":
            keys.append("CTO")
            continue
        head, *rest = name.split("-")
        keys.append((head[:3] + "".join(part[0] for part in rest)).upper())
    return unique_names(keys)


def _statuses(
    choices: tuple[tuple[str, ...], tuple[float, ...]], count: int, rng: np.random.Generator
) -> np.ndarray:
    """Indexes into STATUSES."""
    names, weights = choices
    codes = np.array([STATUSES.index(name) for name in names])
    return codes[rng.choice(len(names), size=count, p=weights)]


def tickets_frame(
    period: Period,
    merged_pr_rate: np.ndarray,
    team: np.ndarray,
    team_names: list[str],
    utc_offset_hours: np.ndarray,
    jira_account_ids: list[str],
    emails: list[str],
    rng: np.random.Generator,
) -> pl.DataFrame:
    """One row per ticket; `merged_pr_rate`, `team` and the accounts cover employees only."""
    people, weeks = merged_pr_rate.shape
    closed = rng.poisson(merged_pr_rate * CLOSED_PER_MERGED_PR).ravel()
    left_open = rng.poisson(merged_pr_rate * LEFT_OPEN_PER_MERGED_PR).ravel()
    backlog = rng.poisson(UNASSIGNED_PER_TEAM_WEEK, len(team_names) * weeks)

    closed_person, closed_week = np.divmod(np.repeat(np.arange(people * weeks), closed), weeks)
    resolved = office_hours_in_week(closed_week, utc_offset_hours[closed_person], period, rng)
    age = np.clip(rng.lognormal(np.log(4 * 24.0), 1.0, len(resolved)), 1.0, 120 * 24.0)
    closed_created = resolved - (age * MICROS_PER_HOUR).astype(np.int64)

    open_person, open_week = np.divmod(np.repeat(np.arange(people * weeks), left_open), weeks)
    open_created = office_hours_in_week(open_week, utc_offset_hours[open_person], period, rng)

    backlog_team, backlog_week = np.divmod(np.repeat(np.arange(len(team_names) * weeks), backlog), weeks)
    backlog_created = period.day_start_micros(7 * backlog_week) + rng.integers(
        0, 5 * MICROS_PER_DAY, len(backlog_team)
    )

    # Assignee: an index into the Jira ids followed by the emails; -1 when unassigned.
    assignee_person = np.concatenate([closed_person, open_person])
    by_email = rng.random(len(assignee_person)) < EMAIL_ASSIGNEE_SHARE
    assignee = np.concatenate([assignee_person + by_email * people, np.full(len(backlog_team), -1)])
    ticket_team = np.concatenate([team[closed_person], team[open_person], backlog_team])
    created = np.concatenate([closed_created, open_created, backlog_created])
    resolved_at = np.concatenate([resolved, np.full(len(created) - len(resolved), -1)])
    count = len(created)
    status = np.concatenate(
        [
            _statuses(RESOLVED_STATUSES, len(resolved), rng),
            _statuses(OPEN_STATUSES, len(open_created), rng),
            _statuses(BACKLOG_STATUSES, len(backlog_created), rng),
        ]
    )
    issue_type = rng.choice(len(ISSUE_TYPES), size=count, p=ISSUE_TYPE_WEIGHTS)

    order = np.lexsort((np.arange(count), created, ticket_team))
    team_sorted = ticket_team[order]
    first_number = rng.integers(1, 500, len(team_names))
    number = first_number[team_sorted] + np.arange(count) - np.searchsorted(team_sorted, team_sorted)
    assignee = assignee[order]
    resolved_at = resolved_at[order]
    timestamp = pa.timestamp("us", tz="UTC")
    table = pa.table(
        {
            "ticket_id": pc.binary_join_element_wise(
                _take(project_keys(team_names), team_sorted), pc.cast(pa.array(number), pa.string()), "-"
            ),
            "assignee": pc.take(
                pa.array([*jira_account_ids, *emails], pa.string()), pa.array(assignee, mask=assignee < 0)
            ),
            "created_at": pa.array(created[order], timestamp),
            "resolved_at": pa.array(resolved_at, timestamp, mask=resolved_at < 0),
            "issue_type": _take(ISSUE_TYPES, issue_type[order]),
            "status": _take(STATUSES, status[order]),
        }
    )
    return pl.DataFrame(pl.from_arrow(table))


def _take(words: list[str] | tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(words, pa.string()), pa.array(codes))
