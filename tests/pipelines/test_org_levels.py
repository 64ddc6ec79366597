"""The org tree one level at a time (pipelines/metrics/org_levels.py), on a hand-made release_units.

top (the CEO alone)
└── ceo: leads of three orgs
    ├── a: leads ── a1 (web), a2 (web, merged into a), a3 (ci)
    ├── b: a team with one small team below it (b1, merged into b)
    └── c: leads, merged into ceo ── c1 (data), c2 (ml)
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.metrics import org_levels

UNITS = [  # unit_key, parent_unit_key, label, release_unit, release_label
    ("top", None, "top of the organization", "top", "top of the organization"),
    ("ceo", "top", "office leads", "ceo", "office org (2 teams)"),
    ("a", "ceo", "web leads", "a", "web org (2 teams)"),
    ("a1", "a", "web 1", "a1", "web 1"),
    ("a2", "a", "web 2", "a", "web org (2 teams)"),
    ("a3", "a", "ci", "a3", "ci"),
    ("b", "ceo", "payments", "b", "payments org (2 teams)"),
    ("b1", "b", "payments-ml", "b", "payments org (2 teams)"),
    ("c", "ceo", "data leads 2", "ceo", "office org (2 teams)"),
    ("c1", "c", "data", "c1", "data"),
    ("c2", "c", "ml", "c2", "ml"),
]
TREE = pl.DataFrame(
    UNITS, schema=["unit_key", "parent_unit_key", "label", "release_unit", "release_label"], orient="row"
)
EVERY = ["top", "ceo", "a", "a1", "a3", "b", "c1", "c2"]  # the release units


def rows(level: org_levels.Level) -> list[tuple[str, bool, int]]:
    return list(level.rows.select("team", "drillable", "teams").iter_rows())


def test_a_leader_starts_at_the_orgs_of_their_direct_reports() -> None:
    top = org_levels.level(TREE, EVERY, "top")
    assert rows(top) == [
        ("data org 2", True, 2),  # c's own unit went into the CEO's: its org is c1 and c2
        ("office org (2 teams)", False, 1),  # the CEO's unit, left at this level
        ("payments org (2 teams)", False, 1),  # one release unit: a team, nothing to open
        ("top of the organization", False, 1),  # the unit above, carried down
        ("web org", True, 3),
    ]
    assert top.crumbs == () and top.openable() == [("c", "data org 2"), ("a", "web org")]
    assert sorted(top.members["release_unit"].to_list()) == sorted(EVERY)  # every unit counted once


def test_opening_an_org_shows_its_children_and_its_own_unit() -> None:
    web = org_levels.level(TREE, EVERY, "top", ["a"])
    assert web.crumbs == (("a", "web org"),)
    assert rows(web) == [("ci", False, 1), ("web 1", False, 1), ("web org (2 teams)", False, 1)]
    assert set(web.members["release_unit"]) == {"a", "a1", "a3"}


def test_a_stale_path_stops_at_the_last_level_it_reaches() -> None:
    assert org_levels.level(TREE, EVERY, "top", ["a", "nowhere"]).crumbs == (("a", "web org"),)
    assert org_levels.level(TREE, EVERY, "top", ["b"]).crumbs == ()  # b is a team, not an org to open


def test_a_manager_sees_their_own_org_only() -> None:
    mine = org_levels.level(TREE, ["a", "a1", "a3"], "a")
    assert [team for team, _, _ in rows(mine)] == ["ci", "web 1", "web org (2 teams)"]


def test_the_chosen_teams_side_by_side() -> None:
    assert rows(org_levels.flat(TREE, ["c2", "a1"])) == [("ml", False, 1), ("web 1", False, 1)]


@pytest.mark.parametrize(("limit", "other"), [(3, "other (3 orgs and teams)"), (5, None)])
def test_rows_beyond_a_limit_are_summed_as_other(limit: int, other: str | None) -> None:
    top = org_levels.grouped(org_levels.level(TREE, EVERY, "top"), limit)
    labels = top.rows["team"].to_list()
    assert len(labels) == min(limit, 5) and (other is None or labels[-1] == other)
    assert set(top.members["team"]) == set(labels)  # every unit is in a labelled row
    assert sorted(top.members["release_unit"].to_list()) == sorted(EVERY)


def test_org_names_come_from_team_names_never_people() -> None:
    assert org_levels.org_label("web-scale leads 2") == "web-scale org 2"
    assert org_levels.org_label("storage-core") == "storage-core org"
