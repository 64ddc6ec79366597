"""Tables as CSV: UTF-8 with a header, ISO dates, and text that a spreadsheet will not run."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.report.tables import column_widths, fitted, lines_needed, readable, table_csv, text_width


def test_csv_round_trips_with_iso_dates_and_utf8() -> None:
    frame = pl.DataFrame(
        {
            "week": [date(2026, 3, 2), date(2026, 3, 9)],
            "team": ["Zoë's team", "web"],
            "cost_usd": [12.5, None],
            "merged_prs": [3, 4],
        }
    )
    csv = table_csv(frame)
    assert csv.decode("utf-8").splitlines()[:2] == [
        "week,team,cost_usd,merged_prs",
        "2026-03-02,Zoë's team,12.5,3",
    ]
    assert_frame_equal(pl.read_csv(BytesIO(csv), try_parse_dates=True), frame)


def test_timestamps_are_iso_8601() -> None:
    frame = pl.DataFrame({"built_at": [datetime(2026, 3, 2, 9, 5, 7)]})
    assert table_csv(frame).decode().splitlines()[1] == "2026-03-02T09:05:07"


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    frame = pl.DataFrame({"team": ["=HYPERLINK(1)", "+SUM(1)", "@x", "-y", "web"], "delta": [-1, 2, 3, 4, 5]})
    lines = table_csv(frame).decode().splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == ["'=HYPERLINK(1)", "'+SUM(1)", "'@x", "'-y", "web"]
    assert lines[0].endswith(",-1")  # numbers are left alone


def test_a_table_for_people_has_plain_headers_its_units_and_one_line_for_hidden_rows() -> None:
    frame = pl.DataFrame(
        {
            "team": ["analytics", "ci", "web", "zeta"],
            "people": ["12", "fewer than 5", "1204", "fewer than 5"],
            "revert_rate": [0.0213, None, 0.5, None],
            "cost_usd": [2044102.3846, None, 12.5, None],
            "suppressed": [False, True, False, True],
        }
    )
    table = readable(frame)
    assert table.header == ["Team", "People", "Revert rate", "AI spend"]
    assert table.rows == [["analytics", "12", "2%", "$2.0M"], ["web", "1,204", "50%", "$12.50"]]
    assert table.numeric == [False, True, True, True]
    assert table.notes == [
        "2 teams under 5 people (or held back so none can be worked out from a total) are not shown."
    ]


def test_estimates_read_in_their_own_units() -> None:
    frame = pl.DataFrame(
        {
            "estimate": [
                "pooled elasticity",
                "adoption event study, % change after adoption",
                "share of spend flagged",
            ],
            "value": [0.2812, 27.69, 0.061],
            "ci_low": [0.19, 12.96, None],
        }
    )
    assert readable(frame).rows == [
        ["pooled elasticity", "0.28", "0.19"],
        ["adoption event study, % change after adoption", "+27.7%", "+13.0%"],
        ["share of spend flagged", "6.1%", "–"],
    ]


def test_columns_are_as_wide_as_their_longest_word_when_space_is_short() -> None:
    table = readable(pl.DataFrame({"quality_adjusted_prs_per_engineer_week": [1.5], "team": ["web"]}))
    natural = column_widths(table, total=10_000, size=10, padding=5)
    assert natural is not None and natural[0] >= text_width(
        "Quality-adjusted PRs per engineer-week", 10, bold=True
    )
    narrow = column_widths(table, total=200, size=10, padding=5)
    assert narrow is not None and sum(narrow) == pytest.approx(200)
    assert narrow[0] >= text_width("engineer-week", 10, bold=True) + 10
    assert lines_needed("Quality-adjusted PRs per engineer-week", narrow[0] - 10, 10, bold=True) > 1
    assert column_widths(table, total=40, size=10, padding=5) is None  # no word may be cut


def test_a_table_too_wide_for_the_page_goes_in_column_groups_that_keep_the_names() -> None:
    wide = readable(pl.DataFrame({"team": ["web"], **{f"figure_number_{i}": [1.5] for i in range(30)}}))
    parts = fitted(wide, total=500, sizes=(10, 9), padding=5)
    assert len(parts) > 1
    assert all(part.header[0] == "Team" and part.rows[0][0] == "web" for part, _, _ in parts)
    assert [h for part, _, _ in parts for h in part.header[1:]] == wide.header[1:]  # each column once
    assert all(size == 9 and sum(widths) <= 500 + 1e-6 for _, size, widths in parts)
