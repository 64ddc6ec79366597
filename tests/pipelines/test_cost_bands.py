"""cost_bands.csv: an optional input (level, annual_loaded_cost in USD). A good file loads one band per
level; every bad row is quarantined naming file, row, column, value and what was expected; levels in
people with no band are counted by a quality check; without the file the feature is simply off."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.build import BuildError, build
from pipelines.inputs import UNBANDED_CHECK
from pipelines.settings import Settings
from tests.pipelines.test_bad_inputs import write_input

BANDS = "level,annual_loaded_cost\nL4,200000\nL6,312000.50\n"


def built(tmp_path: Path, files: dict[str, str | None]) -> Path:
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=write_input(tmp_path / "in", files), warehouse_path=db))
    return db


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def unbanded(db: Path) -> list[tuple]:
    return rows(db, f"select unexpected_count from validation_results where check_name = '{UNBANDED_CHECK}'")


def test_a_good_file_loads_one_band_per_level(tmp_path: Path) -> None:
    db = built(tmp_path, {"cost_bands.csv": BANDS})
    assert rows(db, "select level, annual_loaded_cost_usd from dim_cost_bands order by level") == [
        ("L4", 200000.0),
        ("L6", 312000.5),
    ]
    assert rows(
        db, "select rows_read, rows_loaded, rows_quarantined from build_rows where table_name = 'cost_bands'"
    ) == [(2, 2, 0)]
    assert unbanded(db) == [(0,)]


def test_bad_rows_are_quarantined_with_file_row_column_and_what_was_expected(tmp_path: Path) -> None:
    bands = (
        "level,annual_loaded_cost\n"
        "L4,200000\n"  # 1: good
        'L5,"$250,000"\n'  # 2: a currency sign and a thousands separator
        ",180000\n"  # 3: no level
        "L6,0\n"  # 4: not above 0
        "L7,-5\n"  # 5: negative
        "L8,a lot\n"  # 6: a word
        "L4,210000\n"  # 7: L4 again with another cost
        "L4,200000\n"  # 8: an exact repeat: a duplicate, not a problem
        "L9\n"  # 9: a short row
    )
    db = built(tmp_path, {"cost_bands.csv": bands})
    file = str(tmp_path / "in" / "cost_bands.csv")
    not_usd = "annual_loaded_cost is not a number in USD (expected digits such as 185000, no $ or commas)"
    above_zero = "annual_loaded_cost must be above 0 (USD per year)"
    assert rows(
        db,
        "select source_file, source_row, column_name, value, reason from quarantine "
        "where table_name = 'cost_bands' order by source_row",
    ) == [
        (file, 2, "annual_loaded_cost", "$250,000", not_usd),
        (file, 3, "level", None, "level is empty"),
        (file, 4, "annual_loaded_cost", "0", above_zero),
        (file, 5, "annual_loaded_cost", "-5", above_zero),
        (file, 6, "annual_loaded_cost", "a lot", not_usd),
        (file, 7, "level", "L4", "level repeats an earlier row with another annual_loaded_cost"),
        (file, 9, None, None, "row has 1 of the header's 2 values"),
    ]
    assert rows(db, "select level, annual_loaded_cost_usd from dim_cost_bands") == [("L4", 200000.0)]
    assert rows(
        db,
        "select rows_read, rows_loaded, rows_quarantined, rows_duplicate from build_rows where table_name = 'cost_bands'",
    ) == [(9, 1, 7, 1)]


def test_a_missing_column_stops_the_build_naming_the_file(tmp_path: Path) -> None:
    folder = write_input(tmp_path / "in", {"cost_bands.csv": "level,salary\nL4,200000\n"})
    with pytest.raises(BuildError) as error:
        build(Settings(input_dir=folder, warehouse_path=tmp_path / "w.duckdb"))
    assert str(error.value) == (
        f"{folder / 'cost_bands.csv'}: missing required column(s) annual_loaded_cost for table 'cost_bands'"
    )


def test_levels_without_a_band_are_counted_and_named_not_dropped(tmp_path: Path) -> None:
    db = built(tmp_path, {"cost_bands.csv": "level,annual_loaded_cost\nL4,200000\n"})
    ((count, examples),) = rows(
        db, f"select unexpected_count, examples from validation_results where check_name = '{UNBANDED_CHECK}'"
    )
    assert (count, examples) == (1, ["level L6: 1 person"])
    # the person stays in every figure: the roster and the person-weeks still hold both people
    assert rows(db, "select count(*) from dim_people") == [(2,)]


def test_without_the_file_the_feature_is_off(tmp_path: Path) -> None:
    db = built(tmp_path, {})
    assert rows(db, "select count(*) from dim_cost_bands") == [(0,)]
    assert rows(db, "select count(*) from release_unit_weeks where people_cost_usd is not null") == [(0,)]
    assert rows(db, "select count(*) from release_org_weeks where people_cost_usd is not null") == [(0,)]
    assert unbanded(db) == [(0,)]
