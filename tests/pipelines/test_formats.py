"""One number format for the product: each kind of figure reads the same everywhere."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipelines import formats


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        (5_670_000_000, "tokens", "5.67B"),
        (3_000_000_000, "tokens", "3B"),
        (1_234_567.0, "cost_usd", "$1.2M"),
        (2044102.3846, "cost_usd", "$2.0M"),
        (420.4, "cost_usd", "$420"),
        (4.1, "cost_per_merged_pr", "$4.10"),
        (0.437, "share", "44%"),
        (0.004, "active_rate_period", "0.4%"),
        (12.0, "merged_prs", "12"),
        (0.2444, "merged_prs_per_engineer_week", "0.24"),
        (None, "cost_usd", "–"),
        (datetime(2026, 3, 2), "week", "2 Mar 2026"),
        (date(2026, 3, 2), "anything", "2 Mar 2026"),
    ],
)
def test_a_figure_reads_by_its_column(value: object, column: str, expected: str) -> None:
    assert formats.text(value, column) == expected


def test_headers_are_plain_words() -> None:
    assert formats.label("merged_prs_per_engineer_week") == "Merged PRs per engineer-week"
    assert formats.label("revert_rate") == "Revert rate"
    assert formats.label("some_new_column") == "Some new column"
