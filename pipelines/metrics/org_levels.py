"""The org tree of the release, one level at a time: what the Teams page, the exports and the pack break down by.

A unit is one manager's direct reports (pipelines/privacy/release.py); units nest along the org tree,
and an org is a unit with everything below it. Small units are merged into their parent's *release
unit*, so the figures of an org are the sums of the released cells of the release units rooted in
its subtree. A level is one node of the tree: a row per org of its child units (or a team, when
that org is a single release unit), and a row per release unit left at this level (the node's own
unit, with the small teams merged into it). Rows are in name order, never by a figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import polars as pl

LEADS = re.compile(r" leads( \d+)?$")  # "web-scale leads 2": a unit of mixed teams, named by its manager's


@dataclass(frozen=True)
class Level:
    """One level of the tree: its rows and the way there from the viewer's top."""

    crumbs: tuple[tuple[str, str], ...]  # (unit_key, org label) of each org opened, from the top
    rows: pl.DataFrame  # key, team (the row's label), drillable, teams (release units it holds)
    members: pl.DataFrame  # release_unit, key, team: each release unit's row on this level

    def openable(self) -> list[tuple[str, str]]:
        """(unit_key, label) of the rows that are orgs of more than one team, in name order."""
        rows = self.rows.filter(pl.col("drillable"))
        return list(zip(rows["key"].to_list(), rows["team"].to_list(), strict=True))


def org_label(label: str) -> str:
    """An org's name from its root unit's label: 'web-scale leads 2' -> 'web-scale org 2'."""
    match = LEADS.search(label)
    if match:
        return label[: match.start()] + " org" + (match.group(1) or "")
    return f"{label} org"


class Row(NamedTuple):
    key: str  # an org's root unit, or a release unit
    label: str
    drillable: bool  # an org of more than one release unit
    held: list[str]  # its release units
    child: bool = True  # the org of a child unit (False: a unit left at this level)


class _Tree:
    def __init__(self, units: pl.DataFrame, scope: Iterable[str]) -> None:
        self.children: dict[str, list[str]] = {}
        self.label: dict[str, str] = {}
        self.release_label: dict[str, str] = {}
        for unit, parent, label, release_unit, release_label in units.select(
            "unit_key", "parent_unit_key", "label", "release_unit", "release_label"
        ).iter_rows():
            self.label[unit] = label
            if parent is not None:
                self.children.setdefault(parent, []).append(unit)
            if unit == release_unit:
                self.release_label[unit] = release_label
        self.released = set(scope) & set(self.release_label)  # a release unit is keyed by its root unit

    def below(self, unit: str) -> set[str]:
        """The release units rooted in `unit`'s subtree (itself included)."""
        found, stack = set(), [unit]
        while stack:
            node = stack.pop()
            if node in self.released:
                found.add(node)
            stack.extend(self.children.get(node, ()))
        return found

    def rows(self, node: str | None, within: set[str]) -> list[Row]:
        """Each row of `node`'s level over the release units `within`: the orgs of its child units,
        then each release unit of `within` in none of them (the node's own, and any above it)."""
        out, taken = [], set()
        for child in self.children.get(node, ()) if node is not None else ():
            held = sorted(self.below(child) & within)
            if not held:
                continue
            taken.update(held)
            if len(held) == 1:
                out.append(Row(held[0], self.release_label[held[0]], False, held))
            else:
                out.append(Row(child, org_label(self.label[child]), True, held))
        out += [Row(u, self.release_label[u], False, [u], child=False) for u in sorted(within - taken)]
        return out


def level(units: pl.DataFrame, scope: Sequence[str], root: str, path: Sequence[str] = ()) -> Level:
    """The level reached from `root` (the viewer's top unit) by opening the orgs in `path` in turn.
    The top goes down while it holds a single org, so a leader starts at the orgs of their direct
    reports; an org in `path` that is not on the level (a stale choice) ends the walk there."""
    tree = _Tree(units, scope)
    within = set(tree.released)
    node = root if root in tree.label else None
    while node is not None:  # one org (and the units above it) only: go down into it
        children = [r for r in tree.rows(node, within) if r.child]
        if len(children) != 1 or not children[0].drillable:
            break
        node = children[0].key
    crumbs: list[tuple[str, str]] = []
    for step in path:
        match = next((r for r in tree.rows(node, within) if r.key == step and r.drillable), None)
        if match is None:
            break
        node, within = step, set(match.held)
        crumbs.append((step, match.label))
    return _level(tuple(crumbs), tree.rows(node, within))


def flat(units: pl.DataFrame, scope: Sequence[str]) -> Level:
    """The release units of `scope` as rows, no org above them: a view of chosen teams."""
    tree = _Tree(units, scope)
    return _level((), [Row(u, tree.release_label[u], False, [u], child=False) for u in sorted(tree.released)])


def _level(crumbs: tuple[tuple[str, str], ...], rows: list[Row]) -> Level:
    labels = _unique([r.label for r in rows])
    table = pl.DataFrame(
        {
            "key": [r.key for r in rows],
            "team": labels,
            "drillable": [r.drillable for r in rows],
            "teams": [len(r.held) for r in rows],
        },
        schema={"key": pl.String, "team": pl.String, "drillable": pl.Boolean, "teams": pl.Int64},
    ).sort("team")
    members = pl.DataFrame(
        [(unit, r.key, label) for r, label in zip(rows, labels, strict=True) for unit in r.held],
        schema={"release_unit": pl.String, "key": pl.String, "team": pl.String},
        orient="row",
    )
    return Level(crumbs, table, members)


def _unique(labels: list[str]) -> list[str]:
    """Labels as given; one that repeats on the level gets ' #n' (a row is named by its label)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if labels.count(label) == 1 else f"{label} #{seen[label]}")
    return out


def grouped(lvl: Level, limit: int) -> Level:
    """At most `limit` rows: the first limit - 1 in name order, the rest summed as one row
    "other (N teams)", so that a chart of the level labels every category it draws."""
    if lvl.rows.height <= limit:
        return lvl
    kept = lvl.rows.head(limit - 1)
    rest = lvl.rows.slice(limit - 1)
    other = f"other ({rest.height} {'orgs and teams' if rest['drillable'].any() else 'teams'})"
    rows = pl.concat(
        [
            kept,
            pl.DataFrame(
                {
                    "key": ["other"],
                    "team": [other],
                    "drillable": [False],
                    "teams": [int(rest["teams"].sum())],
                },
                schema=kept.schema,
            ),
        ]
    )
    members = lvl.members.with_columns(
        key=pl.when(pl.col("key").is_in(rest["key"].to_list())).then(pl.lit("other")).otherwise("key"),
        team=pl.when(pl.col("key").is_in(rest["key"].to_list())).then(pl.lit(other)).otherwise("team"),
    )
    return Level(lvl.crumbs, rows, members)
