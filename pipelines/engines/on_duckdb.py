"""The first stage on DuckDB: the Ibis expressions run on the build connection itself."""

from __future__ import annotations

import time
import warnings

import duckdb
import ibis

from pipelines.db import run
from pipelines.engines import (
    FILE_DAY_COLUMNS,
    FIRST_STAGE,
    REJECT_COLUMNS,
    USER_DAY_COLUMNS,
    FirstStageRun,
    land,
)
from pipelines.engines import first_stage as stage

STAGED = "stg_input__ai_usage"


def run_on_duckdb(con: duckdb.DuckDBPyConnection, days: list | None = None) -> FirstStageRun:
    started = time.perf_counter()
    backend = ibis.duckdb.from_connection(con)
    with warnings.catch_warnings():
        # ibis 12 reads a table's schema with DuckDB 2.0's deprecated fetch_arrow_table()
        warnings.simplefilter("ignore", DeprecationWarning)
        land_first_stage(backend, con, backend.table(STAGED), days)
    return FirstStageRun("duckdb", time.perf_counter() - started)


def land_first_stage(backend, con: duckdb.DuckDBPyConnection, staged, days: list | None) -> None:
    """Two passes over the staged rows: the one pass that reads every column (row accounting and
    user-day sums at once) and the event_id hashes; the exact deduplication only when some row may
    repeat."""

    def temp(name: str, expr) -> object:
        # a table of the build file, not a temp table: under a small memory_limit it spills to disk
        run(con, f"create or replace table _first_stage_{name} as {backend.compile(expr)}")
        return backend.table(f"_first_stage_{name}")

    def view(name: str, expr) -> str:
        run(con, f"create or replace temp view _first_stage_{name} as {backend.compile(expr)}")
        return f"_first_stage_{name}"

    passed = temp("pass", stage.one_pass(staged))
    land(con, "stage_file_days", view("file_days", stage.file_days(passed)), FILE_DAY_COLUMNS)
    repeated = temp("repeated", stage.repeated_event_hashes(staged))
    if not run(con, "select 1 from _first_stage_repeated limit 1"):
        repeated = None  # no event_id repeats: no row needs the join or the window
    without_id = run(con, "select 1 from stage_file_days where rows_without_id > 0 limit 1")
    if repeated is None and not without_id:
        user_day = view("user_day", stage.user_days_of(passed))
    else:
        # one memory-hungry operator per statement: the exact deduplication (a DISTINCT over whole
        # rows, a window over repeated ids) first, then the sums; so a small memory_limit spills
        # (the candidates are written out first: scanning the input and hashing whole rows in one
        # statement needs the reader's buffers and the hash table at once)
        candidates = temp("candidates", stage.check_candidates(staged, repeated))
        checked = temp("checked", stage.checked_events(candidates, repeated))
        singles = temp("singles", stage.by_user_day(stage.single_events(staged, repeated)))
        temp("summed", stage.combined(singles, stage.by_user_day(checked)))
        user_day = "_first_stage_summed"
    where = ""
    if days is not None:
        run(con, "set variable first_stage_days = ?", [list(days)])
        where = "where usage_date in (select unnest(getvariable('first_stage_days')))"
    land(con, FIRST_STAGE, user_day, USER_DAY_COLUMNS, where)
    rejected_files = [
        r[0] for r in run(con, "select distinct source_file from stage_file_days where rows_rejected > 0")
    ]
    rejected = staged.filter(staged.source_file.isin(rejected_files)) if rejected_files else staged.limit(0)
    land(con, "usage_rejects", view("rejects", stage.rejects(rejected)), REJECT_COLUMNS)
    for name in ("user_day", "file_days", "rejects"):
        run(con, f"drop view if exists _first_stage_{name}")
    for name in ("pass", "repeated", "candidates", "checked", "singles", "summed"):
        run(con, f"drop table if exists _first_stage_{name}")
