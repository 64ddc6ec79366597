"""Tables as CSV: UTF-8 with a header, ISO dates, and text that a spreadsheet will not run."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import polars as pl
from polars.testing import assert_frame_equal

from pipelines.report.tables import table_csv, table_text


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


def test_table_text_formats_for_reading_and_cuts_long_tables() -> None:
    frame = pl.DataFrame({"decile": list(range(1, 21)), "cost": [1234.5] + [0.5] * 19, "note": [None] * 20})
    header, rows = table_text(frame, max_rows=3)
    assert header == ["decile", "cost", "note"]
    assert rows == [["1", "1,234", "–"], ["2", "0.50", "–"], ["3", "0.50", "–"]]
    assert len(table_text(frame, max_rows=None)[1]) == 20
