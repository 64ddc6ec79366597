"""The first stage on Spark: the same Ibis expressions, on the Parquet files where they lie.

Spark reads exactly the files the build chose (the partitions it needs), applies the staging rules
(staging.py, the Ibis twin of stg_input__ai_usage.sql) and the first stage (first_stage.py), and
hands back three small tables, which land in the build's DuckDB. Only ai_usage goes to Spark: the
other tables are small and stay in DuckDB, like every later layer.

The session: master from TOKENYIELD_SPARK_MASTER (default local[2]; a cluster URL in production),
time zone UTC, TOKENYIELD_SPARK_SHUFFLE_PARTITIONS shuffle partitions (default 2, right for a
laptop or CI; raise it on a cluster), TOKENYIELD_SPARK_DRIVER_MEMORY (default 2g). Needs Java 17 (or 21).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb
import ibis

from pipelines.db import run
from pipelines.engines import (
    FILE_DAY_COLUMNS,
    FIRST_STAGE,
    REJECT_COLUMNS,
    USER_DAY_COLUMNS,
    EngineError,
    FirstStageRun,
    land,
)
from pipelines.engines import first_stage as stage
from pipelines.engines.staging import staged_usage
from pipelines.inputs import CONTRACT

_SESSION = None


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME", "")
    return bool(shutil.which("java") or (home and (Path(home) / "bin" / "java").exists()))


def spark_session():
    """The one SparkSession of this process (Spark allows one), created on first use."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    if not java_available():
        raise EngineError(
            "the spark engine needs a Java 17 or 21 runtime (Debian 12: openjdk-17-jre-headless; Debian 13: openjdk-21-jre-headless)"
        )
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(os.environ.get("TOKENYIELD_SPARK_MASTER", "local[2]"))
        .appName("tokenyield first stage")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get("TOKENYIELD_SPARK_SHUFFLE_PARTITIONS", "2"))
        .config("spark.driver.memory", os.environ.get("TOKENYIELD_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        _SESSION = builder.getOrCreate()
    except Exception as error:  # pyspark raises its own runtime errors when the JVM cannot start
        raise EngineError(f"spark could not start: {str(error).strip().splitlines()[0]}") from None
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


def use_session(session) -> None:
    """Run on a session made elsewhere (a test's shared session, a notebook's cluster session)."""
    global _SESSION
    _SESSION = session


def raw_usage(session, files: list[str]):
    """The raw ai_usage rows of `files` as a Spark DataFrame shaped like DuckDB's raw_ai_usage view:
    every contract column (NULL when a file lacks an optional one), _source_file (the path as the
    build names it), _source_row (1-based) and _source_problem (NULL: Parquet rows are whole).

    Files are read in groups of one schema (from their footers) and unioned by name; a column
    whose type differs between groups is read as text in all of them, as DuckDB's union_by_name
    does with text and non-text, so that the staging rules see the same values."""
    from functools import reduce

    import pyarrow.parquet as pq
    from pyspark.sql import functions as F

    required, optional = CONTRACT["ai_usage"]
    groups: dict[tuple, list[str]] = {}
    for file in files:
        try:
            schema = pq.read_schema(file)
        except Exception as error:  # pyarrow raises several kinds for a file that is not Parquet
            raise EngineError(f"{file}: cannot be read as Parquet ({str(error).splitlines()[0]})") from None
        key = tuple(sorted((f.name, str(f.type)) for f in schema if f.name in required + optional))
        groups.setdefault(key, []).append(file)
    types: dict[str, set[str]] = {}
    for key in groups:
        for name, kind in key:
            types.setdefault(name, set()).add(kind)
    as_text = {name for name, kinds in types.items() if len(kinds) > 1}
    absolute = F.url_decode(F.regexp_replace(F.col("_metadata.file_path"), "^file:(//)?", ""))
    parts = []
    for key, group in groups.items():
        present = {name for name, _ in key}
        frame = session.read.parquet(*[str(Path(f).resolve()) for f in group])
        parts.append(
            frame.select(
                *[
                    (F.col(c).cast("string") if c in as_text else F.col(c)).alias(c)
                    if c in present
                    else F.lit(None).cast("string").alias(c)
                    for c in required + optional
                ],
                absolute.alias("absolute"),
                (F.col("_metadata.row_index") + 1).alias("_source_row"),
                F.lit(None).cast("string").alias("_source_problem"),
            )
        )
    rows = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), parts)
    names = session.createDataFrame(
        [(str(Path(f).resolve()), f) for f in files], "absolute string, given string"
    )
    return (
        rows.join(F.broadcast(names), "absolute").withColumnRenamed("given", "_source_file").drop("absolute")
    )


def run_on_spark(con: duckdb.DuckDBPyConnection, files: list[str], days: list | None = None) -> FirstStageRun:
    started = time.perf_counter()
    if not files:
        _land_empty(con)
        return FirstStageRun("spark", time.perf_counter() - started)
    not_parquet = [f for f in files if not f.endswith(".parquet")]
    if not_parquet:
        raise EngineError(f"{not_parquet[0]}: the spark engine reads Parquet ai_usage files only")
    session = spark_session()
    backend = ibis.pyspark.connect(session)
    raw_usage(session, files).createOrReplaceTempView("tokenyield_raw_ai_usage")
    staged = staged_usage(backend.table("tokenyield_raw_ai_usage"))
    # two narrower passes instead of DuckDB's one pass: its groups (file, verdict and user-day key,
    # nine measures) ran out of the driver's 2g heap on 13 weeks of 10,000 people in local mode
    _land(con, "stage_file_days", stage.file_days_of_rows(staged), FILE_DAY_COLUMNS)
    repeated = stage.repeated_event_hashes(staged).cache()
    if repeated.count().execute() == 0:
        repeated.release()
        repeated = None  # no event_id repeats: no row needs the join or the window
    without_id = run(con, "select 1 from stage_file_days where rows_without_id > 0 limit 1")
    user_day = stage.user_day(staged, repeated, check=bool(repeated is not None or without_id))
    _land(con, FIRST_STAGE, user_day, USER_DAY_COLUMNS, days)
    rejected_files = [
        r[0] for r in run(con, "select distinct source_file from stage_file_days where rows_rejected > 0")
    ]
    rejected = staged.filter(staged.source_file.isin(rejected_files)) if rejected_files else staged.limit(0)
    _land(con, "usage_rejects", stage.rejects(rejected), REJECT_COLUMNS)
    if repeated is not None:
        repeated.release()
    return FirstStageRun("spark", time.perf_counter() - started)


def _land(con, table: str, expr, columns: dict[str, str], days: list | None = None) -> None:
    result = expr.to_pyarrow()
    con.register("_spark_result", result)
    try:
        where = ""
        if days is not None:
            run(con, "set variable first_stage_days = ?", [list(days)])
            where = "where usage_date in (select unnest(getvariable('first_stage_days')))"
        land(con, table, "_spark_result", columns, where)
    finally:
        con.unregister("_spark_result")


def _land_empty(con) -> None:
    for table, columns in (
        (FIRST_STAGE, USER_DAY_COLUMNS),
        ("stage_file_days", FILE_DAY_COLUMNS),
        ("usage_rejects", REJECT_COLUMNS),
    ):
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        run(con, f"create or replace table {table} ({cols})")
