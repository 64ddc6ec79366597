"""What changed against the previous period (pipelines/metrics/changes.py): periods, figures,
intervals and sentences, from released weekly rows given row by row."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from pipelines.metrics import changes
from pipelines.metrics.released import WEEKLY_SCHEMA

MONDAY = date(2026, 1, 5)


def weeks(n: int) -> list[date]:
    return [MONDAY + timedelta(days=7 * i) for i in range(n)]


def weekly(rows: list[tuple[int, float, float, float, int]]) -> pl.DataFrame:
    """One released week per row: (people, active rate, useful rate, spend USD, merged PRs)."""
    out = []
    for week, (people, active, useful, cost, merged) in zip(weeks(len(rows)), rows, strict=True):
        out.append(
            {
                "week": week,
                "people_in_scope": people,
                "ai_users": round(people * active),
                "weekly_active_rate": active,
                "useful_ai_rate": useful,
                "tokens": int(cost * 1000),
                "cost_usd": cost,
                "unpriced_tokens": 0,
                "merged_prs": merged,
                "merged_prs_per_engineer_week": merged / people,
                "closed_tickets": 0,
                "cost_per_merged_pr": cost / merged,
                "merged_prs_with_spend": merged,
                "usage_coverage": 1.0,
                "suppressed": False,
            }
        )
    return pl.DataFrame(out, schema=WEEKLY_SCHEMA)


def test_a_filtered_period_is_compared_with_the_same_number_of_weeks_just_before() -> None:
    all_weeks = weeks(12)
    p = changes.periods(all_weeks, all_weeks[8], all_weeks[11])
    assert p is not None and p.basis == "before" and p.weeks == 4
    assert p.current == (all_weeks[8], all_weeks[11]) and p.previous == (all_weeks[4], all_weeks[7])


def test_a_view_from_the_first_week_compares_its_later_half_with_its_earlier_half() -> None:
    all_weeks = weeks(11)
    p = changes.periods(all_weeks, None, None)
    assert p is not None and p.basis == "halves"
    assert p.current == (all_weeks[6], all_weeks[10]) and p.previous == (all_weeks[1], all_weeks[5])


def test_no_earlier_period_of_the_same_length_means_no_comparison() -> None:
    all_weeks = weeks(6)
    p = changes.periods(all_weeks, all_weeks[2], None)  # 4 weeks in view, 2 before
    assert p is not None and p.previous is None
    lead = changes.lead(weekly([(10, 0.5, 0.4, 20.0, 10)] * 6), p, 0.8)
    assert lead.sentences == [
        "No earlier period of 4 weeks is in the warehouse to compare the 4 weeks of 19 Jan 2026 to "
        "15 Feb 2026 with."
    ]


def test_cost_per_merged_pr_rose_while_output_held_flat() -> None:
    before = [(10, 0.40, 0.30, 23.0, 10 + i % 2) for i in range(5)]
    after = [(10, 0.70, 0.55, 41.0, 10 + i % 2) for i in range(5)]
    rows = weekly(before + after)
    p = changes.periods(rows["week"].to_list(), None, None)
    assert p is not None
    figures = changes.compare(rows, p)
    # ratios of sums over each period, computed here from the rows above
    cost_before = sum(r[3] for r in before) / sum(r[4] for r in before)
    cost_after = sum(r[3] for r in after) / sum(r[4] for r in after)
    cost = figures["cost_per_merged_pr"]
    assert cost.previous == pytest.approx(cost_before) and cost.current == pytest.approx(cost_after)
    assert cost.change == pytest.approx(cost_after / cost_before - 1)
    assert cost.ci95 is not None and cost.measurable and cost.ci95[0] > 0
    output = figures["merged_prs_per_engineer_week"]
    assert output.change == pytest.approx(0.0) and not output.measurable
    active = figures["weekly_active_rate"]
    assert active.in_points and active.change == pytest.approx(0.30)
    lead = changes.lead(rows, p, 0.8)
    first = lead.sentences[0]
    assert first.startswith("The last 5 weeks (")
    assert f"Cost per merged PR rose from ${cost_before:,.2f} to ${cost_after:,.2f} (+78%" in first
    assert "merged PRs per engineer-week held about level" in first
    assert any("Spend grew without a measurable rise" in s for s in lead.sentences)


def test_a_suppressed_week_adds_nothing_to_either_period() -> None:
    rows = weekly([(10, 0.5, 0.4, 20.0, 10)] * 4 + [(10, 0.5, 0.4, 30.0, 10)] * 4)
    rows = rows.with_columns(suppressed=pl.col("week") == rows["week"][-1])
    p = changes.periods(rows["week"].to_list(), None, None)
    assert p is not None
    spend = changes.compare(rows, p)["cost_usd"]
    assert spend.previous == pytest.approx(80.0) and spend.current == pytest.approx(90.0)


def test_teams_are_named_in_name_order_never_by_a_figure() -> None:
    now = pl.DataFrame(
        {
            "team": ["zeta", "alpha", "mid", "hidden"],
            "active_rate_latest": [0.1, 0.3, 0.9, None],
            "cost_usd": [300.0, 100.0, 500.0, None],
            "merged_prs_per_engineer_week": [1.0, 2.0, 1.0, None],
            "suppressed": [False, False, False, True],
        }
    )
    before = now.with_columns(cost_usd=pl.lit(100.0), merged_prs_per_engineer_week=pl.lit(1.0))
    shown, far, grew = changes.team_notes(now, before, 0.8)
    assert shown == 3
    assert far == ("alpha", "zeta")  # alphabetical, though zeta is further off
    assert grew == ("mid", "zeta")


def test_one_persons_weeks_compare_their_later_half_with_the_earlier() -> None:
    person = pl.DataFrame(
        {
            "week": weeks(6),
            "used_ai": [False, True, False, True, True, True],
            "tokens": [0, 500, 0, 2_000_000, 1_000_000, 3_000],
            "merged_prs": [1, 2, 0, 3, 1, 1],
        }
    )
    first = changes.person_sentences(person)[0]
    assert first.startswith("In the last 3 weeks (to 15 Feb 2026) against the 3 before:")
    assert "AI used in 3 of 3 weeks (before: 1)" in first
    assert "3M tokens (before: 500)" in first and "5 merged PRs (before: 3)" in first
