"""Small-group suppression on small frames: cells, complementary suppression (per partition and
per week) and the rule for filtered selections. The property tests state what the rules promise
for any frame: no shown group under k, and no suppressed remainder a reader could subtract."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.privacy.suppression import (
    cells,
    complementary,
    complementary_by,
    fewer_than,
    selection_allowed,
)

K = 5


def teams(*people: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "team": [f"t{i}" for i in range(len(people))],
            "people": list(people),
            "tokens": [n * 1_000 for n in people],
        }
    )


def test_fewer_than_reads_as_words_not_a_number():
    assert fewer_than(5) == "fewer than 5"


def test_cells_nulls_every_figure_of_a_small_group_and_keeps_its_label():
    out = cells(teams(4, 5, 12), K, keep=("team",))
    assert out.rows() == [("t0", None, None, True), ("t1", 5, 5_000, False), ("t2", 12, 12_000, False)]


def test_cells_treats_an_unknown_head_count_as_small():
    frame = pl.DataFrame(
        {"team": ["a"], "people": [None], "tokens": [7]}, schema_overrides={"people": pl.Int64}
    )
    assert cells(frame, K, keep=("team",)).rows() == [("a", None, None, True)]


def test_complementary_hides_the_next_smallest_group_so_the_total_cannot_be_differenced():
    out = complementary(teams(2, 9, 6, 30), K, keep=("team",))
    assert out.filter("suppressed")["team"].to_list() == ["t0", "t2"]  # 2 alone is < k: 6 joins it
    assert out.filter(~pl.col("suppressed"))["tokens"].to_list() == [9_000, 30_000]


def test_complementary_stops_as_soon_as_the_hidden_groups_hold_k_people():
    out = complementary(teams(1, 1, 1, 1, 1, 20), K, keep=("team",))
    assert out["suppressed"].to_list() == [True] * 5 + [False]


def test_complementary_hides_nothing_when_every_group_holds_k():
    out = complementary(teams(5, 6, 7), K, keep=("team",))
    assert not out["suppressed"].any()
    assert out["tokens"].to_list() == [5_000, 6_000, 7_000]


def test_complementary_hides_everything_when_the_whole_is_under_k():
    out = complementary(teams(1, 2), K, keep=("team",))
    assert out["suppressed"].all() and out["tokens"].null_count() == 2


def test_complementary_of_an_empty_frame_is_empty_with_the_flag():
    out = complementary(teams().cast({"people": pl.Int64, "tokens": pl.Int64}), K, keep=("team",))
    assert out.is_empty() and "suppressed" in out.columns


def test_complementary_by_works_within_each_week_independently():
    frame = pl.DataFrame(
        {
            "week": ["w1", "w1", "w1", "w2", "w2", "w2"],
            "team": ["a", "b", "c", "a", "b", "c"],
            "people": [3, 6, 10, 6, 6, 10],
        }
    )
    out = complementary_by(frame, K, "week", keep=("week", "team"))
    hidden = out.filter("suppressed").select("week", "team").rows()
    assert hidden == [("w1", "a"), ("w1", "b")]


@pytest.mark.parametrize(
    ("selected", "in_scope", "allowed"),
    [
        (20, 20, True),  # everything: nothing left out
        (15, 20, True),  # 15 shown, 5 left out
        (16, 20, False),  # 4 left out: the whole minus the view is 4 people
        (4, 20, False),  # the view itself is under k
        (5, 5, True),
        (0, 20, False),
    ],
)
def test_selection_needs_k_people_in_it_and_none_or_k_left_out(selected, in_scope, allowed):
    assert selection_allowed(selected, in_scope, K) is allowed


head_counts = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(people=head_counts, k=st.integers(min_value=3, max_value=8))
def test_after_complementary_no_shown_group_is_under_k_and_the_hidden_ones_hold_none_or_k(people, k):
    out = complementary(teams(*people), k, keep=("team",))
    hidden = [n for n, s in zip(people, out["suppressed"], strict=True) if s]
    shown = [n for n, s in zip(people, out["suppressed"], strict=True) if not s]
    assert all(n >= k for n in shown)
    if sum(people) >= k:
        # total minus the shown groups = the hidden groups: never 1..k-1 people
        assert sum(hidden) == 0 or sum(hidden) >= k
    else:
        assert not shown  # a whole under k shows nothing at all
    # no figure leaks from a hidden row; shown rows keep theirs
    assert out.filter("suppressed")["tokens"].null_count() == len(hidden)
    assert out.filter(~pl.col("suppressed"))["tokens"].to_list() == [n * 1_000 for n in shown]


@settings(max_examples=150, deadline=None)
@given(weeks=st.lists(head_counts, min_size=1, max_size=5))
def test_complementary_by_week_keeps_the_promise_in_every_week(weeks):
    frame = pl.concat(
        [teams(*people).with_columns(week=pl.lit(f"w{i}")) for i, people in enumerate(weeks)]
    ).select("week", "team", "people", "tokens")
    out = complementary_by(frame, K, "week", keep=("week", "team"))
    raw = frame.rename({"people": "n"}).select("week", "team", "n")
    joined = out.join(raw, on=("week", "team"))
    assert joined.height == frame.height
    for _, week in joined.group_by("week"):
        hidden = int(week.filter("suppressed")["n"].sum())
        assert (week.filter(~pl.col("suppressed"))["n"] >= K).all()
        if int(week["n"].sum()) >= K:
            assert hidden == 0 or hidden >= K
