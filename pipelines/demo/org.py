"""The demo organization chart: who works here, in which team, under whom, and when.

A CTO at the top, VPs when there are many directors, directors over managers, and managers
each leading one team of 5 to 10 engineers (so there are about people/8 teams). About 10% of
people join during the period (on a Monday) and 8% leave (on a Friday), so every week a person
is employed in is a whole working week. Arrays are in hierarchy order; `person_id`s are
shuffled so they say nothing about rank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from pipelines.demo.period import Period
from pipelines.demo.vocabulary import FIRST_NAMES, LAST_NAMES, TEAM_DOMAINS, TEAM_FOCUSES

ROLES = ("engineer", "manager", "director")
ENGINEER, MANAGER, DIRECTOR = 0, 1, 2
EMAIL_DOMAIN = "acme.example"
JOINER_SHARE = 0.10
LEAVER_SHARE = 0.08
NOT_EMPLOYED_YET = -1_000_000  # start_day of people employed since before the data starts
STILL_EMPLOYED = 1_000_000  # end_day of people who have not left
_LEVELS = {
    ENGINEER: (("L3", "L4", "L5", "L6", "L7"), (0.15, 0.35, 0.30, 0.15, 0.05)),
    MANAGER: (("L5", "L6", "L7"), (0.30, 0.50, 0.20)),
    DIRECTOR: (("L7", "L8"), (0.60, 0.40)),
}


@dataclass(frozen=True)
class Org:
    """One entry per person, in hierarchy order (index 0 is the CTO)."""

    person_id: list[str]
    first_name: list[str]
    last_name: list[str]
    email: list[str]
    role: np.ndarray  # index into ROLES
    level: list[str]
    team: np.ndarray  # index into team_names
    team_names: list[str]
    manager: np.ndarray  # index of the direct manager, -1 at the top
    start_day: np.ndarray  # first employed day, counted from the period's first Monday
    end_day: np.ndarray  # last employed day, same count
    start_date: list[str | None]  # as HR reports it: empty for some long-tenured people

    @property
    def size(self) -> int:
        return len(self.person_id)

    def employed_weeks(self, weeks: int) -> np.ndarray:
        """(people, weeks) bool: employed on some day of the week (so, here, all its working days)."""
        week_first_day = 7 * np.arange(weeks)
        return (self.start_day[:, None] <= week_first_day + 6) & (self.end_day[:, None] >= week_first_day)


def unique_names(candidates: Sequence[str]) -> list[str]:
    """Make names unique case-insensitively by numbering repeats: jdoe, jdoe2, jdoe3."""
    seen: set[str] = set()
    result = []
    for candidate in candidates:
        name, number = candidate, 1
        while name.lower() in seen:
            number += 1
            name = f"{candidate}{number}"
        seen.add(name.lower())
        result.append(name)
    return result


def team_names(count: int, rng: np.random.Generator) -> list[str]:
    if count <= len(TEAM_DOMAINS):
        return [TEAM_DOMAINS[i] for i in rng.permutation(len(TEAM_DOMAINS))[:count]]
    combos = [f"{domain}-{focus}" for domain in TEAM_DOMAINS for focus in TEAM_FOCUSES]
    order = rng.permutation(len(combos))
    return unique_names([combos[order[i % len(combos)]] for i in range(count)])


def _split_evenly(children: np.ndarray, parents: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The parent of each child, spreading shuffled children evenly over the parents."""
    parent_of = np.empty(len(children), dtype=np.int64)
    for parent, chunk in zip(
        parents, np.array_split(rng.permutation(len(children)), len(parents)), strict=True
    ):
        parent_of[chunk] = parent
    return parent_of


def build_org(people: int, period: Period, rng: np.random.Generator) -> Org:
    n_managers = max(1, round(people / 8.5))
    n_directors = max(1, round(n_managers / 6))
    n_vps = 0 if n_directors <= 8 else math.ceil(n_directors / 8)
    n_engineers = people - 1 - n_vps - n_directors - n_managers
    if not 5 * n_managers <= n_engineers <= 10 * n_managers:
        raise ValueError(f"people must be at least 10, got {people}")

    vps = 1 + np.arange(n_vps)
    directors = 1 + n_vps + np.arange(n_directors)
    managers = directors[-1] + 1 + np.arange(n_managers)
    engineers = managers[-1] + 1 + np.arange(n_engineers)
    role = np.full(people, ENGINEER)
    role[: managers[0]] = DIRECTOR
    role[managers] = MANAGER

    manager = np.full(people, -1)
    manager[vps] = 0
    manager[directors] = _split_evenly(directors, vps, rng) if n_vps else 0
    manager[managers] = _split_evenly(managers, directors, rng)
    # Each manager gets 5 engineers, then the rest fill random free seats (at most 5 more each).
    seats = np.repeat(managers, 5)
    extra = rng.choice(len(seats), size=n_engineers - 5 * n_managers, replace=False)
    manager[engineers] = rng.permutation(np.concatenate([seats, seats[extra]]))

    team = np.zeros(people, dtype=np.int64)  # team 0 is the CTO's office
    team[managers] = 1 + np.arange(n_managers)
    team[engineers] = team[manager[engineers]]
    for leaders in (directors, vps):  # a leader sits in the team of their first report
        for leader in leaders:
            team[leader] = team[np.flatnonzero(manager == leader)[0]]
    names = ["office-of-the-cto", *team_names(n_managers, rng)]

    level = [""] * people
    for role_index, (levels, weights) in _LEVELS.items():
        members = np.flatnonzero(role == role_index)
        for i, pick in zip(members, rng.choice(len(levels), size=len(members), p=weights), strict=True):
            level[i] = levels[pick]
    for top in (0, *vps):
        level[top] = "L8"

    first = [FIRST_NAMES[i] for i in rng.integers(len(FIRST_NAMES), size=people)]
    last = [LAST_NAMES[i] for i in rng.integers(len(LAST_NAMES), size=people)]
    local_parts = unique_names([f"{f}.{s}" for f, s in zip(first, last, strict=True)])
    email = [f"{part}@{EMAIL_DOMAIN}" for part in local_parts]

    start_day = np.full(people, NOT_EMPLOYED_YET)
    end_day = np.full(people, STILL_EMPLOYED)
    movers = rng.permutation(engineers)
    joiners = movers[: round(JOINER_SHARE * people)]
    leavers = movers[len(joiners) : len(joiners) + round(LEAVER_SHARE * people)]
    weeks = period.weeks
    start_day[joiners] = 7 * rng.integers(min(1, weeks - 1), weeks, size=len(joiners))  # a Monday
    end_day[leavers] = 7 * rng.integers(0, max(1, weeks - 1), size=len(leavers)) + 4  # a Friday
    tenure_days = rng.integers(30, 3650, size=people)
    has_hire_date = rng.random(people) < 0.7
    start_date: list[str | None] = [
        period.day(int(start_day[i])).isoformat()
        if start_day[i] > NOT_EMPLOYED_YET
        else (period.first_monday - timedelta(days=int(tenure_days[i]))).isoformat()
        if has_hire_date[i]
        else None
        for i in range(people)
    ]

    width = max(5, len(str(people)))
    ids = [f"p{n:0{width}d}" for n in 1 + rng.permutation(people)]
    return Org(
        person_id=ids,
        first_name=first,
        last_name=last,
        email=email,
        role=role,
        level=level,
        team=team,
        team_names=names,
        manager=manager,
        start_day=start_day,
        end_day=end_day,
        start_date=start_date,
    )


# cost_bands.csv: a plausible yearly loaded cost per level (salary, benefits, payroll taxes; USD).
# Made-up round figures for a US software company, one per level the demo hands out.
COST_BANDS = {"L3": 165_000, "L4": 210_000, "L5": 265_000, "L6": 330_000, "L7": 410_000, "L8": 520_000}


def cost_bands_frame() -> pl.DataFrame:
    """cost_bands.csv: one row per level, never per person."""
    return pl.DataFrame(
        {"level": list(COST_BANDS), "annual_loaded_cost": [str(v) for v in COST_BANDS.values()]},
        schema={"level": pl.String, "annual_loaded_cost": pl.String},
    )


def people_frame(org: Org, period: Period) -> pl.DataFrame:
    """people.csv: one row per person, ordered by person_id."""
    ids = np.array(org.person_id)
    return pl.DataFrame(
        {
            "person_id": org.person_id,
            "email": org.email,
            "name": [f"{f.title()} {s.title()}" for f, s in zip(org.first_name, org.last_name, strict=True)],
            "team": [org.team_names[t] for t in org.team],
            "manager_id": [ids[m] if m >= 0 else None for m in org.manager],
            "role": [ROLES[r] for r in org.role],
            "level": org.level,
            "start_date": org.start_date,
            "end_date": [period.day(int(d)).isoformat() if d < STILL_EMPLOYED else None for d in org.end_day],
        },
        schema=dict.fromkeys(
            ("person_id", "email", "name", "team", "manager_id", "role", "level", "start_date", "end_date"),
            pl.String,
        ),
    ).sort("person_id")
