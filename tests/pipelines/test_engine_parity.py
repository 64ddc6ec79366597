"""The first stage on Spark gives the same warehouse as on DuckDB: one SparkSession for the whole
module (local[2], 2 shuffle partitions), a small hive-partitioned Parquet lake with every kind of
row the first stage treats apart (repeats by event_id across and within files, exact repeats
without event_id, rejected rows of each kind, text-typed columns, a file lacking optional columns).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.build import build
from pipelines.engines import FIRST_STAGE, on_spark
from pipelines.settings import Settings

pytestmark = pytest.mark.slow

TABLES = [
    FIRST_STAGE,
    "int_ai_usage_resolved_to_person_day",
    "stage_file_days",
    "quarantine",
    "build_rows",
    "fct_person_weeks",
    "fct_unmatched_identities",
]
PEOPLE = (
    "person_id,email,name,team,manager_id,role,level\n"
    "p1,ann@x.io,Ann,core,,engineer,L4\n"
    "p2,bob@x.io,Bob,core,p1,engineer,L3\n"
)
TYPED = (
    "occurred_at timestamptz, user varchar, tool varchar, model varchar, input_tokens bigint, "
    "output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint, requests bigint, "
    "cost_usd double, event_id varchar, tokens_reported boolean"
)
# (day, rows): each row is occurred_at, user, tool, model, in, out, cache read, cache write,
# requests, cost, event_id, tokens_reported
DAYS = {
    "2026-03-02": [
        (
            "2026-03-02 09:00:00+00",
            "Ann@X.io ",
            "Claude-Code",
            "claude-sonnet-4-5",
            100,
            10,
            5,
            1,
            1,
            None,
            "e1",
            True,
        ),
        (
            "2026-03-02 09:00:00+00",
            "ann@x.io",
            "claude-code",
            "claude-sonnet-4-5",
            100,
            10,
            5,
            1,
            1,
            None,
            "e1",
            True,
        ),
        ("2026-03-02 10:00:00+00", "bob@x.io", "cursor", "gpt-5", 40, 4, 0, 0, 2, 0.012345, None, True),
        ("2026-03-02 10:00:00+00", "bob@x.io", "cursor", "gpt-5", 40, 4, 0, 0, 2, 0.012345, None, True),
        ("2026-03-02 23:59:59.999999+00", "bob@x.io", "cursor", "", 7, 0, 0, 0, None, 0.5, "e2", False),
        ("2026-03-02 11:00:00+00", "", "cursor", "gpt-5", 1, 1, 0, 0, 1, None, "e3", True),
        ("2026-03-02 12:00:00+00", "ann@x.io", "cursor", "gpt-5", -3, 1, 0, 0, 1, None, "e4", True),
        ("1990-01-01 00:00:00+00", "ann@x.io", "cursor", "gpt-5", 1, 1, 0, 0, 1, None, "e5", True),
        ("2026-03-02 13:00:00+00", "ann@x.io", "cursor", "gpt-5", 1, 1, 0, 0, 1, -0.25, "e6", True),
        ("2026-03-02 14:00:00+00", "stranger@y.io", "copilot", "gpt-4o", 9, 9, 0, 0, 1, None, "e7", True),
    ],
    "2026-03-03": [
        # e1 again, read later: the first copy read wins
        (
            "2026-03-03 08:00:00+00",
            "bob@x.io",
            "claude-code",
            "claude-sonnet-4-5",
            999,
            0,
            0,
            0,
            1,
            None,
            "e1",
            True,
        ),
        (
            "2026-03-03 08:30:00+00",
            "ann@x.io",
            "claude-code",
            "claude-opus-4-1",
            2000,
            300,
            0,
            0,
            1,
            None,
            "e8",
            True,
        ),
        (
            "2026-03-03 09:00:00+00",
            "ann@x.io",
            "claude-code",
            "claude-opus-4-1",
            1,
            2,
            3,
            4,
            -1,
            None,
            "e9",
            True,
        ),
        (
            "2026-03-03 09:30:00+00",
            "ann@x.io",
            "claude-code",
            "claude-opus-4-1",
            5,
            5,
            -1,
            0,
            1,
            None,
            "e10",
            True,
        ),
    ],
    "2026-03-10": [
        (
            "2026-03-10 00:00:00+00",
            "bob@x.io",
            "openai-api",
            "gpt-4.1",
            12,
            3,
            0,
            0,
            1,
            0.000001,
            "e11",
            True,
        ),
        (
            "2026-03-10 01:00:00+00",
            "bob@x.io",
            "openai-api",
            "gpt-4.1",
            12,
            3,
            0,
            0,
            1,
            0.000001,
            "e11",
            True,
        ),
    ],
}
# a day written with text columns, as an export without types would be
TEXT_DAY = (
    "2026-03-11",
    [
        (
            "2026-03-11T10:00:00Z",
            " bob@x.io",
            "cursor",
            "gpt-5",
            "30",
            "3",
            None,
            None,
            None,
            "0.25",
            "t1",
            "true",
        ),
        (
            "2026-03-11T11:00:00Z",
            "bob@x.io",
            "cursor",
            "gpt-5",
            "lots",
            "3",
            None,
            None,
            None,
            None,
            "t2",
            None,
        ),
        ("not a time", "bob@x.io", "cursor", "gpt-5", "1", "1", None, None, None, None, "t3", None),
        ("2026-03-11T12:00:00Z", "bob@x.io", "cursor", "gpt-5", "1", "1", None, None, None, "$3", "t4", None),
    ],
)


def write_day(folder: Path, day: str, rows: list[tuple], types: str | None = TYPED) -> None:
    """One partition, date=<day>/part-0.parquet, with the given column types (None: all text)."""
    out = folder / "ai_usage" / f"date={day}"
    out.mkdir(parents=True)
    names = [c.split(" ")[0] for c in TYPED.split(", ")]
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        if types is None:
            types = ", ".join(f"{name} varchar" for name in names)
        con.execute(f"create table t ({types})")
        con.executemany(f"insert into t values ({', '.join('?' * len(names))})", rows)
        con.execute(f"copy t to '{out / 'part-0.parquet'}' (format parquet)")


@pytest.fixture(scope="module")
def spark():
    if not on_spark.java_available():
        pytest.skip("no Java runtime: the Spark engine needs Java 17 or 21 (.ci/run installs it)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("tokenyield parity test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    on_spark.use_session(session)
    yield session
    on_spark.use_session(None)
    session.stop()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lake") / "input"
    folder.mkdir()
    (folder / "people.csv").write_text(PEOPLE)
    for day, rows in DAYS.items():
        write_day(folder, day, rows)
    write_day(folder, *TEXT_DAY, types=None)
    # a file without the optional columns
    required = "occurred_at timestamptz, user varchar, tool varchar, model varchar, input_tokens bigint, output_tokens bigint"
    out = folder / "ai_usage" / "date=2026-03-12"
    out.mkdir()
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from (values ('2026-03-12 10:00:00+00'::timestamptz, 'ann@x.io', 'cursor', 'gpt-5', 8, 8)) "
            f"t({', '.join(c.split(' ')[0] for c in required.split(', '))})) to '{out / 'part-0.parquet'}' (format parquet)"
        )
    return folder


def settings(folder: Path, db: Path) -> Settings:
    # one pseudonym key for every warehouse compared (by default each gets its own key file)
    return Settings(input_dir=folder, warehouse_path=db, pseudonym_key="parity-test-key")


def tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in TABLES}


def test_both_engines_build_the_same_person_day_quarantine_and_row_accounting(spark, lake, tmp_path):
    on_duckdb = build(settings(lake, tmp_path / "duckdb.duckdb"), engine="duckdb")
    on_spark_ = build(settings(lake, tmp_path / "spark.duckdb"), engine="spark")
    expected = tables(tmp_path / "duckdb.duckdb")
    assert tables(tmp_path / "spark.duckdb") == expected
    assert on_spark_.rows == on_duckdb.rows
    usage = on_duckdb.rows["ai_usage"]
    # 9 rejected: empty user, negative input, 1990, negative cost, negative requests, negative
    # cache read, 'lots', 'not a time', '$3'; 4 repeats: e1 twice, Bob's row without event_id, e11
    assert usage.read == sum(len(r) for r in DAYS.values()) + len(TEXT_DAY[1]) + 1
    assert (usage.quarantined, usage.duplicates) == (9, 4)
    assert {r[5] for r in expected["quarantine"]} >= {
        "user is empty",
        "occurred_at is not between 2000-01-01 and the build time",
        "occurred_at is not an ISO-8601 timestamp",
        "cost_usd is not a non-negative number",
        "input_tokens is not a non-negative integer",
    }
    # e1's first copy (Ann's, 2026-03-02) is kept, not Bob's later one
    first_stage = {(r[0], r[1], r[2]): r for r in expected[FIRST_STAGE]}
    assert first_stage[("ann@x.io", date(2026, 3, 2), "claude-code")][7] == 100
    assert ("bob@x.io", date(2026, 3, 3), "claude-code") not in first_stage
    with duckdb.connect(str(tmp_path / "spark.duckdb"), read_only=True) as con:
        assert con.execute("select first_stage_engine from build_info").fetchall() == [("spark",)]


def test_an_incremental_build_on_spark_equals_a_full_build_on_duckdb(spark, lake, tmp_path):
    folder = tmp_path / "input"
    shutil.copytree(lake, folder)
    late = folder / "ai_usage" / "date=2026-03-12"
    aside = tmp_path / "late"
    shutil.move(late, aside)
    db = tmp_path / "spark.duckdb"
    build(settings(folder, db), engine="spark")
    shutil.move(aside, late)
    again = build(settings(folder, db), engine="spark")
    assert again.incremental and again.plan_reason == "1 new ai_usage file(s)"
    full = build(settings(folder, tmp_path / "full.duckdb"), engine="duckdb")
    assert again.rows == full.rows
    assert tables(db) == tables(tmp_path / "full.duckdb")


def test_spark_reads_only_the_partitions_in_the_window(spark, lake, tmp_path):
    folder = tmp_path / "input"
    shutil.copytree(lake, folder)
    broken = folder / "ai_usage" / "date=2026-01-05"
    broken.mkdir()
    (broken / "part-0.parquet").write_bytes(b"PAR1 not parquet at all PAR1")
    result = build(
        settings(folder, tmp_path / "w.duckdb"),
        engine="spark",
        since=date(2026, 3, 10),
    )
    assert result.rows["ai_usage"].read == len(DAYS["2026-03-10"]) + len(TEXT_DAY[1]) + 1
