"""A hive-partitioned lake (ai_usage/date=YYYY-MM-DD/*.parquet): the build opens only the
partitions it needs. Proved with a corrupt file the build would stop on if it read it."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.build import BuildError, build
from pipelines.cli import app
from pipelines.inputs import find_tables, in_window, partition_day
from pipelines.settings import Settings
from tests.pipelines.test_build import PEOPLE

DAYS = ["2026-03-02", "2026-03-03", "2026-03-04"]


def write_lake(folder: Path) -> Path:
    """Three daily partitions, day d holding d+1 rows of 10 input tokens by a@x.io."""
    folder.mkdir(parents=True)
    (folder / "people.csv").write_text(PEOPLE)
    with duckdb.connect() as con:
        for index, day in enumerate(DAYS):
            part = folder / "ai_usage" / f"date={day}"
            part.mkdir(parents=True)
            con.execute(
                f"copy (select '{day} 10:00:00+00'::timestamptz + to_seconds(i) as occurred_at, 'a@x.io' as user, "
                f"'cursor' as tool, 'gpt-5' as model, 10::bigint as input_tokens, 0::bigint as output_tokens, "
                f"'{day}-' || i as event_id from range({index + 1}) t(i)) to '{part / 'part-0.parquet'}' (format parquet)"
            )
    return folder


def corrupt(part: Path) -> Path:
    """A partition whose file is not Parquet: reading it stops the build."""
    part.mkdir(parents=True)
    bad = part / "part-0.parquet"
    bad.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    return bad


def tokens(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select sum(total_tokens) from fct_person_weeks").fetchall()[0][0]


def test_the_window_reads_only_its_partitions(tmp_path):
    folder = write_lake(tmp_path / "in")
    bad = corrupt(folder / "ai_usage" / "date=2026-02-01")
    with pytest.raises(BuildError, match=str(bad)):  # read, it stops the build
        build(Settings(input_dir=folder, warehouse_path=tmp_path / "all.duckdb"))
    db = tmp_path / "w.duckdb"
    result = build(Settings(input_dir=folder, warehouse_path=db), since=date(2026, 3, 3))
    assert result.rows["ai_usage"].read == 2 + 3
    assert tokens(db) == 50
    with duckdb.connect(str(db), read_only=True) as con:
        files = [r[0] for r in con.execute("select source_file from stage_files order by 1").fetchall()]
    assert [partition_day(Path(f)).isoformat() for f in files] == DAYS[1:]


def test_the_window_is_inclusive_and_keeps_files_outside_any_partition(tmp_path):
    folder = write_lake(tmp_path / "in")
    (folder / "ai_usage" / "extra.csv").write_text(
        "occurred_at,user,tool,model,input_tokens,output_tokens\n2026-03-02T12:00Z,a@x.io,cursor,gpt-5,1,0\n"
    )
    usage = find_tables(folder)["ai_usage"]
    kept = in_window(usage, date(2026, 3, 2), date(2026, 3, 3))
    assert sorted(f.relative_to(folder).as_posix() for f in kept.all_files) == [
        "ai_usage/date=2026-03-02/part-0.parquet",
        "ai_usage/date=2026-03-03/part-0.parquet",
        "ai_usage/extra.csv",
    ]
    assert in_window(usage, None, None) == usage


def test_an_incremental_build_never_opens_the_partitions_of_other_days(tmp_path):
    folder = write_lake(tmp_path / "in")
    late = folder / "ai_usage" / f"date={DAYS[-1]}"
    aside = tmp_path / "late"
    shutil.move(late, aside)
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    # an old partition is now unreadable, but keeps its size and time: the build trusts the hash it
    # recorded (as git's index does) and, needing no row of that day, never opens the file
    old = folder / "ai_usage" / f"date={DAYS[0]}" / "part-0.parquet"
    stat = old.stat()
    old.write_bytes(b"\x00" * stat.st_size)
    os.utime(old, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    shutil.move(aside, late)
    result = build(Settings(input_dir=folder, warehouse_path=db))
    assert result.incremental and result.plan_reason == "1 new ai_usage file(s)"
    assert result.rows["ai_usage"].read == 1 + 2 + 3
    assert tokens(db) == 60


def test_the_cli_takes_the_window_and_the_engine(tmp_path):
    folder = write_lake(tmp_path / "in")
    corrupt(folder / "ai_usage" / "date=2026-03-09")
    db = tmp_path / "w.duckdb"
    args = ["build", "--input", str(folder), "--db", str(db), "--until", "2026-03-03", "--engine", "duckdb"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 rows read" in result.output and "first stage on duckdb" in result.output
    wrong = CliRunner().invoke(app, [*args[:-1], "flink"])
    assert wrong.exit_code == 1 and "--engine 'flink' is not one of duckdb, spark" in wrong.output
    empty = CliRunner().invoke(app, [*args[:5], "--since", "2027-01-01"])
    assert empty.exit_code == 1 and "no ai_usage partition between 2027-01-01 and the end" in empty.output


def test_the_spark_engine_says_it_reads_parquet_only(tmp_path):
    folder = write_lake(tmp_path / "in")
    csv = folder / "ai_usage" / "extra.csv"
    csv.write_text(
        "occurred_at,user,tool,model,input_tokens,output_tokens\n2026-03-02T12:00Z,a@x.io,c,m,1,0\n"
    )
    with pytest.raises(BuildError, match=f"{csv}: the spark engine reads Parquet ai_usage files only"):
        build(Settings(input_dir=folder, warehouse_path=tmp_path / "w.duckdb"), engine="spark")
