"""Small-group suppression: no figure over fewer than k people, and no way to difference one out.

Three rules, applied to frames the queries return (each row a group with a `people` count):
- cells: a group under k people keeps its label, but every figure in it becomes null and
  `suppressed` is true; pages print "fewer than k" there, never a number.
- complementary: when groups add up to a total that is also shown, suppressing one small group
  would let a reader subtract; so more groups are suppressed, smallest first, until the suppressed
  groups together hold at least k people (or all groups are suppressed).
- selections: a filtered view (some teams, some tools) is shown only when the people it covers
  and the people it leaves out of the viewer's scope are each either none or at least k, so that
  comparing the view with the unfiltered one cannot isolate fewer than k people.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

FEWER = "fewer than {k}"


def fewer_than(k: int) -> str:
    return FEWER.format(k=k)


def cells(frame: pl.DataFrame, k: int, keep: Sequence[str], people: str = "people") -> pl.DataFrame:
    """Null every column but `keep` in rows with fewer than k people (people itself included)."""
    small = pl.col(people).fill_null(0) < k  # an unknown head count is treated as small
    values = [c for c in frame.columns if c not in keep]
    return frame.with_columns(
        *[pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in values],
        suppressed=small,
    )


def complementary(frame: pl.DataFrame, k: int, keep: Sequence[str], people: str = "people") -> pl.DataFrame:
    """cells(), then suppress the smallest other groups until the suppressed ones hold >= k people.

    `frame` is one partition of a total (e.g. the teams of the view in one week)."""
    if frame.is_empty():
        return cells(frame, k, keep, people)
    counts = frame[people].fill_null(0).to_list()
    hidden = {i for i, n in enumerate(counts) if n < k}
    if hidden:
        order = sorted((n, i) for i, n in enumerate(counts) if i not in hidden)
        while sum(counts[i] for i in hidden) < k and order:
            hidden.add(order.pop(0)[1])
    mask = pl.Series("hide", [i in hidden for i in range(frame.height)])
    values = [c for c in frame.columns if c not in keep]
    return frame.with_columns(
        *[pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c in values], suppressed=mask
    )


def complementary_by(
    frame: pl.DataFrame, k: int, by: str, keep: Sequence[str], people: str = "people"
) -> pl.DataFrame:
    """complementary() within each value of `by` (e.g. each week of a team-by-week table)."""
    if frame.is_empty():
        return cells(frame, k, keep, people)
    parts = [complementary(part, k, keep, people) for _, part in frame.group_by(by, maintain_order=True)]
    return pl.concat(parts)


def selection_allowed(selected: int, in_scope: int, k: int) -> bool:
    """A filtered view of `selected` people out of `in_scope` may be shown (see the module doc)."""
    left_out = in_scope - selected
    return selected >= k and (left_out == 0 or left_out >= k)
