"""Incremental builds: new daily files reuse what the last build staged, and the result equals a
full rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.build import build
from pipelines.settings import Settings
from tests.pipelines.sqlmodel import by_roster_id

MARTS = [
    "fct_person_weeks",
    "fct_person_week_tools",
    "fct_unmatched_identities",
    "dim_tools",
    "int_ai_usage_aggregated_to_user_day",
    "int_ai_usage_resolved_to_person_day",
    "int_person_days_combined",
    "fct_person_week_activity",
    "fct_merged_pull_requests",
    "stage_file_days",
    "quarantine",
    "build_rows",
    "validation_results",
]


def tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        found = {
            t: con.execute(f"select * from {by_roster_id(con, t)} order by all").fetchall() for t in MARTS
        }
        # the same tables, and nothing left over from updating a copy in place
        found["tables"] = con.execute("select table_name from duckdb_tables() order by all").fetchall()
        return found


def day_folders(folder: Path) -> list[Path]:
    return sorted((folder / "ai_usage").iterdir())


@pytest.fixture
def split_input(demo_input: Path, tmp_path: Path) -> tuple[Path, list[Path]]:
    """The demo input without its last three days of usage, and those days kept aside."""
    folder = tmp_path / "input"
    shutil.copytree(demo_input, folder)
    held = tmp_path / "held"
    held.mkdir()
    late = day_folders(folder)[-3:]
    for day in late:
        shutil.move(day, held / day.name)
    return folder, [held / day.name for day in late]


def test_new_daily_files_are_added_incrementally_and_equal_a_full_rebuild(split_input, tmp_path):
    folder, late = split_input
    db = tmp_path / "w.duckdb"
    first = build(Settings(input_dir=folder, warehouse_path=db))
    assert not first.incremental and first.plan_reason == "no previous warehouse to reuse"
    for day in late:
        shutil.copytree(day, folder / "ai_usage" / day.name)
    # a re-sent copy of an earlier day, under another name, must change nothing
    resent = day_folders(folder)[-5]
    shutil.copytree(resent, folder / "ai_usage" / (resent.name + "-resent"))
    second = build(Settings(input_dir=folder, warehouse_path=db))
    assert second.incremental and second.plan_reason == "4 new ai_usage file(s)"
    full = tmp_path / "full.duckdb"
    rebuilt = build(Settings(input_dir=folder, warehouse_path=full), incremental=False)
    assert not rebuilt.incremental
    assert second.rows == rebuilt.rows
    assert tables(db) == tables(full)
    with duckdb.connect(str(db), read_only=True) as con:
        # the suites that read only unchanged models kept their results instead of running again
        rerun = {
            r[0] for r in con.execute("select suite from validation_timings where seconds > 0").fetchall()
        }
    assert "input: ai_usage" in rerun and "input: tickets" not in rerun


def test_nothing_new_reuses_everything_and_a_changed_file_forces_a_full_build(split_input, tmp_path):
    folder, _ = split_input
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    before = tables(db)
    again = build(Settings(input_dir=folder, warehouse_path=db))
    assert again.incremental and again.plan_reason == "no new ai_usage files"
    assert tables(db) == before
    victim = next(day_folders(folder)[0].iterdir())
    with duckdb.connect() as con:  # rewrite one day without its first row
        con.execute(
            f"copy (select * from read_parquet('{victim}') offset 1) to '{victim}.new' (format parquet)"
        )
    Path(f"{victim}.new").replace(victim)
    changed = build(Settings(input_dir=folder, warehouse_path=db))
    assert not changed.incremental and "gone or changed" in changed.plan_reason
    assert changed.rows["ai_usage"].read == again.rows["ai_usage"].read - 1


def test_changed_prices_force_a_full_build(split_input, tmp_path):
    folder, _ = split_input
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    prices = tmp_path / "prices.csv"
    prices.write_text(
        "model,input_usd_per_mtok,output_usd_per_mtok,cache_read_usd_per_mtok,"
        "cache_write_usd_per_mtok\nllama-3.3-70b-internal,0.5,0.5,0,0\n"
    )
    repriced = build(Settings(input_dir=folder, warehouse_path=db, prices_override=prices))
    assert not repriced.incremental and "prices" in repriced.plan_reason
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select sum(unpriced_tokens) from fct_person_weeks").fetchall() == [(0,)]


def test_a_new_pseudonym_key_recomputes_every_keyed_week_and_equals_a_full_rebuild(split_input, tmp_path):
    """The marts recomputed week by week carry person_key: under a new key, no week may keep the old
    one, so they are computed in full (and the result equals a full build under the new key)."""
    folder, late = split_input
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db, pseudonym_key="first key"))
    shutil.copytree(late[0], folder / "ai_usage" / late[0].name)
    second = build(Settings(input_dir=folder, warehouse_path=db, pseudonym_key="second key"))
    assert second.incremental
    full = tmp_path / "full.duckdb"
    build(Settings(input_dir=folder, warehouse_path=full, pseudonym_key="second key"), incremental=False)
    with duckdb.connect(str(db), read_only=True) as a, duckdb.connect(str(full), read_only=True) as b:
        for mart in ("fct_person_weeks", "fct_person_week_tools", "fct_person_week_activity", "dim_people"):
            query = f"select * from {mart} order by all"
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), mart
