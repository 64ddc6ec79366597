"""Build the warehouse: raw files -> staging -> intermediate -> marts, then publish atomically.

The build writes a new DuckDB file beside the old one and swaps it in with one rename, so a
reader sees the old warehouse or the new one, never a half-built one. A file-level problem
raises BuildError (one line, naming the file) and leaves the previous warehouse untouched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import __version__
from pipelines.db import one, run
from pipelines.incremental import Plan, fingerprint, reread_files, write_stage_tables
from pipelines.incremental import plan as make_plan
from pipelines.inputs import CONTRACT, InputError, TableFiles, create_raw_views, find_tables
from pipelines.models import Model, load_models, run_model
from pipelines.privacy import pseudonyms
from pipelines.quality.gate import run_gate, write_results
from pipelines.settings import BUILTIN_PRICES, Settings

# The first stage reads per-request rows and sums them to user-day; everything after it reads
# only its output. This boundary is where a distributed engine can take over.
FIRST_STAGE = "int_ai_usage_aggregated_to_user_day"

# how many input rows each table kept, by the model that keeps them
LOADED_SQL = {
    "people": "select count(*) from int_people_deduplicated",
    "identities": "select count(distinct (identity_key, lower(person_id))) from stg_input__identities where reject_reason is null",
    "ai_usage": f"select coalesce(sum(source_rows), 0) from {FIRST_STAGE}",
    "ai_activity": "select count(*) from int_ai_activity_deduplicated",
    "pull_requests": "select count(*) from int_pull_requests_resolved",
    "tickets": "select count(*) from int_tickets_resolved",
}


class BuildError(Exception):
    """The build stopped; the message is one line for the user."""


@dataclass(frozen=True)
class TableRows:
    read: int
    loaded: int
    quarantined: int
    duplicates: int


@dataclass(frozen=True)
class BuildResult:
    warehouse_path: Path
    seconds: float
    rows: dict[str, TableRows]
    validation_seconds: float
    incremental: bool = False
    plan_reason: str = ""


def connect_for_build(path: Path | str, settings: Settings) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    run(con, "set TimeZone = 'UTC'")
    if settings.memory_limit:
        run(con, f"set memory_limit = '{settings.memory_limit}'")
    if settings.threads:
        run(con, f"set threads = {int(settings.threads)}")
    pseudonyms.register(con, pseudonyms.load_key(settings))
    return con


def build(
    settings: Settings, progress: Callable[[str], None] | None = None, incremental: bool = True
) -> BuildResult:
    """Build the warehouse; reuse the previous first stage when only new ai_usage files arrived."""
    started = time.perf_counter()
    target = settings.warehouse_path
    target.parent.mkdir(parents=True, exist_ok=True)
    staging_file = target.with_name(f".{target.name}.building-{os.getpid()}")
    _remove(staging_file)
    con = None
    try:
        tables = find_tables(settings.input_dir)
        plan = make_plan(target, tables["ai_usage"], settings)
        if not incremental:
            plan = Plan(False, "a full build was asked for", plan.stamps)
        con = connect_for_build(staging_file, settings)
        run(con, f"set temp_directory = '{staging_file}.tmp'")
        load_config(con, settings)
        new_days, reread = _stage_inputs(con, tables, plan, target)
        for model in load_models():
            if progress:
                progress(model.name)
            try:
                if model.name == FIRST_STAGE and plan.incremental:
                    _run_first_stage_incrementally(con, model, new_days)
                else:
                    run_model(con, model)
            except duckdb.Error as error:
                raise BuildError(f"{model.name}: {_first_line(error)}") from None
        if progress:
            progress("quarantine")
        write_quarantine(con)
        kept = {}
        if plan.incremental:
            run(
                con,
                "insert into quarantine select * from prev.quarantine where table_name = 'ai_usage' "
                "and source_file not in (select unnest(?))",
                [reread],
            )
        write_stage_tables(con, plan, reread if plan.incremental else None)
        if plan.incremental:
            kept["ai_usage"] = one(
                con,
                "select (select coalesce(sum(rows_read), 0) from stage_files where source_file not in "
                "(select unnest($files))), (select count(*) from quarantine where table_name = 'ai_usage' "
                "and source_file not in (select unnest($files)))",
                {"files": reread},
            )
        rows = count_rows(con, kept)
        if progress:
            progress("validation")
        gate = run_gate(con, settings.token_ceiling)
        write_results(con, gate)
        if gate.errors:
            first = gate.errors[0]
            raise BuildError(
                f"validation failed: {first.suite}: {first.check} ({first.unexpected} unexpected)"
            )
        write_build_info(con, settings, rows, gate.seconds, time.perf_counter() - started, plan)
        _drop_input_views(con)
        if plan.incremental:
            run(con, "detach prev")
        run(con, "checkpoint")
        con.close()
        con = None
        os.replace(staging_file, target)
    except InputError as error:
        raise BuildError(str(error)) from None
    finally:
        if con is not None:
            con.close()
        _remove(staging_file)
    return BuildResult(
        target, time.perf_counter() - started, rows, gate.seconds, plan.incremental, plan.reason
    )


def _stage_inputs(
    con: duckdb.DuckDBPyConnection, tables: dict[str, TableFiles], plan: Plan, previous: Path
) -> tuple[list, list[str]]:
    """Raw views over the files this build reads: all of them, or for an incremental build the new
    ai_usage files plus the earlier ones that hold the same days."""
    if not plan.incremental:
        create_raw_views(con, tables)
        return [], []
    run(con, f"attach '{previous}' as prev (read_only)")
    create_raw_views(con, _with_usage_files(tables, plan.new_files))
    staging = next(m for m in load_models() if m.name == "stg_input__ai_usage")
    run_model(con, staging)
    new_days = [
        r[0]
        for r in run(
            con,
            "select distinct (occurred_at at time zone 'UTC')::date "
            "from stg_input__ai_usage where reject_reason is null",
        )
    ]
    reread = reread_files(con, new_days, plan.new_files)
    create_raw_views(con, _with_usage_files(tables, reread))
    return new_days, reread


def _with_usage_files(tables: dict[str, TableFiles], files: list[str]) -> dict[str, TableFiles]:
    wanted = set(files)
    subset = {fmt: [f for f in fs if str(f) in wanted] for fmt, fs in tables["ai_usage"].files.items()}
    subset = {fmt: fs for fmt, fs in subset.items() if fs}
    others = {name: t for name, t in tables.items() if name != "ai_usage"}
    return others | ({"ai_usage": TableFiles("ai_usage", subset)} if subset else {})


def _run_first_stage_incrementally(con: duckdb.DuckDBPyConnection, model: Model, new_days: list) -> None:
    """Copy the previous user-day sums, except the days the new files touch, which are summed again."""
    run(
        con,
        f"create or replace table {model.name} as "
        f"select * from prev.{model.name} where usage_date not in (select unnest($days)) "
        f"union all by name select * from ({model.sql}) where usage_date in (select unnest($days))",
        {"days": new_days},
    )


def load_config(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Price table (built-in, overridden row by row by TOKENYIELD_PRICES) and the bot list."""
    files = [BUILTIN_PRICES] + ([settings.prices_override] if settings.prices_override else [])
    scans = []
    for rank, path in enumerate(files):
        scans.append(
            f"select lower(trim(model)) as model, input_usd_per_mtok::decimal(12, 4) as input_usd_per_mtok, "
            "output_usd_per_mtok::decimal(12, 4) as output_usd_per_mtok, "
            "coalesce(cache_read_usd_per_mtok, 0)::decimal(12, 4) as cache_read_usd_per_mtok, "
            "coalesce(cache_write_usd_per_mtok, 0)::decimal(12, 4) as cache_write_usd_per_mtok, "
            f"{rank} as rank from read_csv('{path}', header = true, union_by_name = true)"
        )
    try:
        run(
            con,
            "create or replace table config_prices as select * exclude (rank) from ("
            + " union all by name ".join(scans)
            + ") qualify row_number() over (partition by model order by rank desc) = 1",
        )
    except duckdb.Error as error:
        raise BuildError(f"{files[-1]}: price table unreadable ({_first_line(error)})") from None
    run(con, "create or replace table config_bot_logins (login varchar)")
    if settings.bot_logins:
        run(con, "insert into config_bot_logins select unnest(?)", [list(settings.bot_logins)])


def write_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    """Every row a staging model rejected, with its file, row, column, raw value and reason."""
    run(
        con,
        "create or replace table quarantine (table_name varchar, source_file varchar, source_row bigint, "
        "column_name varchar, value varchar, reason varchar)",
    )
    for table, (required, optional) in CONTRACT.items():
        run(
            con,
            f"create or replace temp table rejected as select source_file, source_row, reject_column, reject_reason "
            f"from stg_input__{table} where reject_reason is not null",
        )
        files = [r[0] for r in run(con, "select distinct source_file from rejected")]
        if not files:
            continue
        # the raw value comes from the raw file again, reading only the files that had a rejected row
        value = " ".join(f"when '{c}' then raw.\"{c}\"::varchar" for c in required + optional)
        run(
            con,
            f"""
            insert into quarantine
            select '{table}', rejected.source_file, rejected.source_row, rejected.reject_column,
                case rejected.reject_column {value} end, rejected.reject_reason
            from rejected
            left join (select * from raw_{table} where _source_file in (select unnest($files))) raw
                on raw._source_file = rejected.source_file and raw._source_row = rejected.source_row
            """,
            {"files": files},
        )
    run(con, "drop table if exists rejected")


def count_rows(
    con: duckdb.DuckDBPyConnection, kept: dict[str, tuple[int, int]] | None = None
) -> dict[str, TableRows]:
    """Account for every input row: read = loaded + quarantined + duplicates, per table.

    The terms are counted independently (raw files, staging verdicts, the quarantine table, the
    models that keep rows), so a row lost or counted twice anywhere fails the build. `kept` holds
    (rows read, rows quarantined) of files an incremental build did not read again."""
    rows = {}
    for table in CONTRACT:
        kept_read, kept_quarantined = (kept or {}).get(table, (0, 0))
        read = one(con, f"select count(*) from raw_{table}")[0] + kept_read
        valid = one(con, f"select count(*) from stg_input__{table} where reject_reason is null")[0]
        valid += kept_read - kept_quarantined
        quarantined = one(con, "select count(*) from quarantine where table_name = ?", [table])[0]
        loaded = int(one(con, LOADED_SQL[table])[0])
        if read != valid + quarantined:
            raise BuildError(
                f"{table}: {read} rows read but {valid} valid + {quarantined} quarantined: rows were lost"
            )
        if loaded > valid:
            raise BuildError(
                f"{table}: {loaded} rows loaded from only {valid} valid rows: rows were counted twice"
            )
        rows[table] = TableRows(read, loaded, quarantined, valid - loaded)
    run(
        con,
        "create or replace table build_rows as select * from (values "
        + ", ".join(
            f"('{t}', {r.read}::bigint, {r.loaded}::bigint, {r.quarantined}::bigint, {r.duplicates}::bigint)"
            for t, r in rows.items()
        )
        + ") as t(table_name, rows_read, rows_loaded, rows_quarantined, rows_duplicate)",
    )
    return rows


def write_build_info(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    rows: dict[str, TableRows],
    validation_seconds: float,
    build_seconds: float,
    plan: Plan,
) -> None:
    run(
        con,
        "create or replace table build_info as select ? as built_at, ? as input_dir, ? as tokenyield_version, "
        "(select min(week) from int_period_weeks_listed) as period_start, "
        "(select max(week) from int_period_weeks_listed) as period_end, "
        "? as validation_seconds, ? as build_seconds_before_publish, ? as incremental, ? as plan_reason, "
        "? as fingerprint",
        [
            datetime.now(UTC),
            str(settings.input_dir.resolve()),
            __version__,
            validation_seconds,
            build_seconds,
            plan.incremental,
            plan.reason,
            fingerprint(settings),
        ],
    )


def _drop_input_views(con: duckdb.DuckDBPyConnection) -> None:
    """The published warehouse stands alone: no view may still point at the input files."""
    views = run(con, "select view_name from duckdb_views() where not internal")
    for (view,) in views:
        run(con, f'drop view if exists "{view}"')


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}.wal")):
        candidate.unlink(missing_ok=True)
    tmp = Path(f"{path}.tmp")
    if tmp.is_dir():
        for child in tmp.iterdir():
            child.unlink(missing_ok=True)
        tmp.rmdir()
