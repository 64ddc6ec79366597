"""Values that a cast alone would accept or guess, and rows that do not fit their header: all are
quarantined with a reason, never loaded shifted, rounded or centuries away."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.build import build
from pipelines.settings import Settings
from tests.pipelines.test_bad_inputs import GOOD_ROWS, NOT_INT, csv, write_input

ODD_TIME = "occurred_at is not between 2000-01-01 and the build time"


def quarantine(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select source_row, column_name, value, reason from quarantine order by all"
        ).fetchall()


@pytest.mark.parametrize("occurred_at", ["infinity", "0001-01-01T10:00Z", "10000-01-01", "2031-01-07T10:00Z"])
def test_an_impossible_or_future_timestamp_is_quarantined(tmp_path, occurred_at):
    folder = write_input(
        tmp_path / "in", {"ai_usage.csv": csv(*GOOD_ROWS, f"{occurred_at},a@x.io,cursor,gpt-5,1,1")}
    )
    db = tmp_path / "w.duckdb"
    assert build(Settings(input_dir=folder, warehouse_path=db)).rows["ai_usage"].quarantined == 1
    assert quarantine(db) == [(3, "occurred_at", occurred_at, ODD_TIME)]
    with duckdb.connect(str(db), read_only=True) as con:  # the period is not stretched
        assert con.execute("select count(distinct week) from fct_person_weeks").fetchall() == [(1,)]


@pytest.mark.parametrize("tokens", ["12.5", "0x10", "1e3", "1_000"])
def test_a_token_count_not_written_as_a_whole_number_is_quarantined(tmp_path, tokens):
    row = f"2026-03-04T10:00Z,a@x.io,cursor,gpt-5,{tokens},1"
    folder = write_input(tmp_path / "in", {"ai_usage.csv": csv(*GOOD_ROWS, row)})
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    assert quarantine(db) == [(3, "input_tokens", tokens, NOT_INT.format("input_tokens"))]


def test_a_roster_row_with_more_values_than_the_header_is_quarantined_not_loaded_shifted(tmp_path):
    people = (
        "person_id,email,name,team,manager_id,role,level\np1,a@x.io,A,core,,manager,L6\n"
        "p2,b@x.io,B,core,p1,engineer,L4\np3,c@x.io,Smith, John,core,p1,engineer,L3\n"
    )
    folder = write_input(tmp_path / "in", {"people.csv": people})
    db = tmp_path / "w.duckdb"
    assert build(Settings(input_dir=folder, warehouse_path=db)).rows["people"].quarantined == 1
    assert quarantine(db) == [(3, None, None, "row has more values than the header's 7")]
