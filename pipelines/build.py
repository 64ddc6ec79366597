"""Build the warehouse: raw files -> staging -> intermediate -> marts, then publish atomically.

The build writes a new DuckDB file beside the old one and swaps it in with one rename, so a
reader sees the old warehouse or the new one, never a half-built one. An incremental build starts
that file as a copy of the previous warehouse and changes in place only what the new files touch:
the new days of the user-day and person-day tables, and the models downstream of them; the models
whose inputs are unchanged stay as they are, and so do their validation results. A file-level
problem raises BuildError (one line, naming the file) and leaves the previous warehouse untouched.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines import __version__
from pipelines.db import one, run
from pipelines.engines import FIRST_STAGE, FIRST_STAGE_MODELS, EngineError, run_first_stage
from pipelines.in_place import InPlace
from pipelines.incremental import (
    Plan,
    fingerprint,
    input_stamps,
    reread_files,
    reusable_models,
    same_pseudonyms,
    unchanged_tables,
    write_input_stamps,
    write_stage_tables,
)
from pipelines.incremental import plan as make_plan
from pipelines.inputs import (
    CONTRACT,
    InputError,
    TableFiles,
    create_raw_views,
    find_tables,
    in_window,
    with_files,
)
from pipelines.models import load_models, run_model
from pipelines.privacy import access, pseudonyms, release
from pipelines.settings import BUILTIN_PRICES, Settings

# an incremental build keeps the previous user-day rows under this name while the first stage runs
KEPT_USER_DAYS = "_kept_user_days"
# The first stage reads per-request rows and sums them to user-day; everything after it reads
# only its output. It runs on an engine (pipelines/engines/): DuckDB here, or Spark.
# how many input rows each table kept, by the model that keeps them
LOADED_SQL = {
    "people": "select count(*) from int_people_deduplicated",
    "identities": "select count(distinct (identity_key, lower(person_id))) from stg_input__identities where reject_reason is null",
    "ai_usage": f"select coalesce(sum(source_rows), 0) from {FIRST_STAGE}",
    "ai_activity": "select count(*) from int_ai_activity_deduplicated",
    "pull_requests": "select count(*) from int_pull_requests_resolved",
    "tickets": "select count(*) from int_tickets_resolved",
    "cost_bands": "select count(*) from dim_cost_bands",
}
# ai_usage's valid rows as the first stage's engine counted them, in the files it read this time
VALID_SQL = {
    "ai_usage": "select coalesce(sum(rows_read - rows_rejected), 0) from stage_file_days "
    "where source_file in (select source_file from usage_files_read)"
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
    settings: Settings,
    progress: Callable[[str], None] | None = None,
    incremental: bool = True,
    engine: str = "duckdb",
    since: date | None = None,
    until: date | None = None,
) -> BuildResult:
    """Build the warehouse; reuse the previous first stage when only new ai_usage files arrived.

    `engine` runs the first stage (per-request rows -> user-day): "duckdb" or "spark". `since` and
    `until` keep only the ai_usage partitions (`date=YYYY-MM-DD` in the path) in that window: the
    others are never opened."""
    started = time.perf_counter()
    target = settings.warehouse_path
    target.parent.mkdir(parents=True, exist_ok=True)
    staging_file = target.with_name(f".{target.name}.building-{os.getpid()}")
    _remove(staging_file)
    con = None
    try:
        tables = find_tables(settings.input_dir)
        tables["ai_usage"] = in_window(tables["ai_usage"], since, until)
        if not tables["ai_usage"].files:
            raise BuildError(f"no ai_usage partition between {since or 'the start'} and {until or 'the end'}")
        plan = make_plan(target, tables["ai_usage"], settings)
        if not incremental:
            plan = Plan(False, "a full build was asked for", plan.stamps)
        # an incremental build has little Python work to slow down: the import starts at once
        validator = _import_quality_gate_in_background() if plan.incremental else None
        if plan.incremental:
            # the previous warehouse, changed in place below; the original stays readable as prev
            shutil.copyfile(target, staging_file)
        con = connect_for_build(staging_file, settings)
        run(con, f"set temp_directory = '{staging_file}.tmp'")
        load_config(con, settings)
        copied, unread, unchanged = set(), set(), set()
        if plan.incremental:
            run(con, f"attach '{target}' as prev (read_only)")
            run(con, f"alter table {FIRST_STAGE} rename to {KEPT_USER_DAYS}")
        stamps = input_stamps(con if plan.incremental else None, tables)
        if plan.incremental:
            unchanged = unchanged_tables(con, stamps)
            copied, unread = reusable_models(load_models(), unchanged, same_pseudonyms(con))
        read_now = {name: files for name, files in tables.items() if name not in unread}
        usage_files, new_days = _stage_inputs(con, read_now, plan, engine)
        in_place = InPlace(con, new_days, unchanged) if plan.incremental else None
        validator = validator or _import_quality_gate_in_background()
        for model in load_models():
            if model.name in FIRST_STAGE_MODELS and model.name != FIRST_STAGE:
                continue  # run by the engine, as part of the first stage
            if progress:
                progress(model.name)
            try:
                if model.name in copied:  # its inputs are unchanged: the copy already holds it
                    continue
                elif model.name == FIRST_STAGE:
                    _run_first_stage(con, engine, tables, usage_files, new_days if plan.incremental else None)
                elif in_place and in_place.allows(model):
                    in_place.run(model)
                elif model.layer == "staging" and model.name != "stg_input__ai_usage":
                    # read each small table's files once: its models, the quarantine and the row
                    # accounting all read these verdicts (a temporary table: never published)
                    run(con, f"create or replace temp table {model.name} as {model.sql}")
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
                "insert into quarantine select * from prev.quarantine where (table_name = 'ai_usage' "
                "and source_file not in (select unnest($files))) or table_name in (select unnest($tables))",
                {"files": usage_files, "tables": sorted(unread) or [""]},
            )
            for table, read, quarantined in run(
                con,
                "select table_name, rows_read, rows_quarantined from prev.build_rows "
                "where table_name in (select unnest(?))",
                [sorted(unread) or [""]],
            ):
                kept[table] = (read, quarantined)
        write_stage_tables(con, plan, usage_files if plan.incremental else None)
        if plan.incremental:
            kept["ai_usage"] = one(
                con,
                "select coalesce(sum(rows_read), 0), coalesce(sum(rows_rejected), 0) from stage_file_days "
                "where source_file not in (select unnest($files))",
                {"files": usage_files},
            )
        rows = count_rows(con, kept, _read_sql(con, engine, usage_files))
        if progress:
            progress("validation")
        validator.join()
        from pipelines.quality.gate import reads_only, run_gate, suites, write_results

        # a suite that reads only unchanged models gives the same results: they are kept
        kept_suites = {s.name for s in suites(settings.token_ceiling) if reads_only(s, copied)}
        # a suite of a mart recomputed week by week looks only at those weeks: the others passed it
        weeks_of = {
            s.name: in_place.weeks()
            for s in suites(settings.token_ceiling)
            if in_place and s.incremental_by == "week" and reads_only(s, copied | in_place.done)
        }
        gate = run_gate(con, settings.token_ceiling, skip=kept_suites, weeks_of=weeks_of)
        write_results(con, gate)
        if kept_suites:
            kept = [sorted(kept_suites)]
            run(
                con,
                "insert into validation_results select * from prev.validation_results where suite in (select unnest(?))",
                kept,
            )
            run(con, "insert into validation_timings select unnest(?), 0.0", kept)  # not run again
        if gate.errors:
            first = gate.errors[0]
            raise BuildError(
                f"validation failed: {first.suite}: {first.check} ({first.unexpected} unexpected)"
            )
        write_input_stamps(con, stamps)
        if progress:
            progress("release")
        release.write(con)  # every aggregate any viewer may see (docs/privacy.md)
        write_build_info(con, settings, rows, gate.seconds, time.perf_counter() - started, plan, engine)
        _drop_input_views(con)
        run(con, "drop table if exists usage_rejects")
        if plan.incremental:
            run(con, "detach prev")
        run(con, "checkpoint")
        con.close()
        con = None
        os.chmod(staging_file, 0o600)  # names, emails and usage per person: the owner's eyes only
        os.replace(staging_file, target)
        _anchor_audit_log(settings, target)
    except (InputError, EngineError) as error:
        raise BuildError(str(error)) from None
    finally:
        if con is not None:
            con.close()
        _remove(staging_file)
    return BuildResult(
        target, time.perf_counter() - started, rows, gate.seconds, plan.incremental, plan.reason
    )


def _stage_inputs(
    con: duckdb.DuckDBPyConnection, tables: dict[str, TableFiles], plan: Plan, engine: str
) -> tuple[list[str], list]:
    """Raw views over the files this build reads, and the ai_usage files the first stage reads: all
    of them, or for an incremental build the new files plus the earlier ones that hold the same
    days (found by running the first stage on the new files alone). Returns (files, new days)."""
    if not plan.incremental:
        files = [str(f) for f in tables["ai_usage"].all_files]
        create_raw_views(con, _usage_for(tables, files, engine))
        return files, []
    create_raw_views(con, _usage_for(tables, plan.new_files, engine), only=("ai_usage",))
    _run_staging(con)
    run_first_stage(con, engine, plan.new_files)
    new_days = [
        r[0]
        for r in run(
            con,
            "select distinct usage_date from stage_file_days "
            "where rows_read > rows_rejected and usage_date is not null",
        )
    ]
    reread = reread_files(con, new_days, plan.new_files)
    create_raw_views(con, _usage_for(tables, reread, engine))
    return reread, new_days


def _usage_for(tables: dict[str, TableFiles], files: list[str], engine: str) -> dict[str, TableFiles]:
    """The tables DuckDB reads: on Spark, DuckDB reads no ai_usage file until it needs the raw
    values of rejected rows for the quarantine."""
    return with_files(tables, "ai_usage", files if engine == "duckdb" else [])


def _run_staging(con: duckdb.DuckDBPyConnection) -> None:
    for model in load_models():
        if model.name == "stg_input__ai_usage":
            run_model(con, model)


def _run_first_stage(
    con: duckdb.DuckDBPyConnection,
    engine: str,
    tables: dict[str, TableFiles],
    files: list[str],
    new_days: list | None,
) -> None:
    """The first stage on `engine`; an incremental build sums again only the days the new files
    touch and copies the other days' user-day rows from the previous warehouse."""
    run_first_stage(con, engine, files, new_days)
    run(
        con,
        "create or replace temp table usage_files_read as select unnest(?::varchar[]) as source_file",
        [files],
    )
    if new_days is not None:
        # the new days replace their rows in the previous user-day table, which is kept as it is
        run(con, f"delete from {KEPT_USER_DAYS} where usage_date in (select unnest(?))", [new_days])
        run(con, f"insert into {KEPT_USER_DAYS} select * from {FIRST_STAGE}")
        run(con, f"drop table {FIRST_STAGE}")
        run(con, f"alter table {KEPT_USER_DAYS} rename to {FIRST_STAGE}")
    if engine != "duckdb":
        # DuckDB reads back only the files with rejected rows, for the quarantine's raw values
        rejected = [r[0] for r in run(con, "select distinct source_file from usage_rejects")]
        create_raw_views(con, with_files(tables, "ai_usage", rejected), only=("ai_usage",))


def _import_quality_gate_in_background() -> threading.Thread:
    """Great Expectations takes about 6 s to import: it loads on another thread while DuckDB works.
    A full build starts it after the Python-heavy input checks (they would wait for the GIL), and
    after the first stage's own imports, so that the two threads never import the same module."""
    from pipelines.engines import on_duckdb  # noqa: F401

    def load() -> None:
        import pipelines.quality.gate  # noqa: F401

    thread = threading.Thread(target=load, name="import-great-expectations", daemon=True)
    thread.start()
    return thread


def _read_sql(con: duckdb.DuckDBPyConnection, engine: str, files: list[str]) -> dict[str, str]:
    """How many ai_usage rows this build read, counted apart from the engine: DuckDB counts its raw
    view; for Spark it adds up the row counts in the Parquet files' footers."""
    if engine == "duckdb" or not files:
        return {}
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return {"ai_usage": f"select coalesce(sum(num_rows), 0) from parquet_file_metadata([{listed}])"}


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
    try:
        access.load_into(con, settings)
    except access.AccessError as error:
        raise BuildError(str(error)) from None
    run(con, "create or replace table config_bot_logins (login varchar)")
    if settings.bot_logins:
        run(con, "insert into config_bot_logins select unnest(?)", [list(settings.bot_logins)])
    run(con, "create or replace table config_agent_logins (login varchar, agent varchar)")
    if settings.agent_logins:
        logins, names = zip(*settings.agent_logins, strict=True)
        run(con, "insert into config_agent_logins select unnest(?), unnest(?)", [list(logins), list(names)])


def write_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    """Every row a staging model rejected, with its file, row, column, raw value and reason."""
    run(
        con,
        "create or replace table quarantine (table_name varchar, source_file varchar, source_row bigint, "
        "column_name varchar, value varchar, reason varchar)",
    )
    for table, (required, optional) in CONTRACT.items():
        # ai_usage's verdicts come from the first stage's engine, in the same pass as its sums
        verdicts = (
            "usage_rejects"
            if table == "ai_usage" and _has_table(con, "usage_rejects")
            else f"stg_input__{table} where reject_reason is not null"
        )
        run(
            con,
            "create or replace temp table rejected as select source_file, source_row, reject_column, "
            f"reject_reason from {verdicts}",
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


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(run(con, "select 1 from duckdb_tables() where table_name = ?", [name]))


def count_rows(
    con: duckdb.DuckDBPyConnection,
    kept: dict[str, tuple[int, int]] | None = None,
    read_sql: dict[str, str] | None = None,
) -> dict[str, TableRows]:
    """Account for every input row: read = loaded + quarantined + duplicates, per table.

    The terms are counted independently (raw files, staging verdicts, the quarantine table, the
    models that keep rows), so a row lost or counted twice anywhere fails the build. `kept` holds
    (rows read, rows quarantined) of files an incremental build did not read again."""
    rows = {}
    for table in CONTRACT:
        kept_read, kept_quarantined = (kept or {}).get(table, (0, 0))
        read = one(con, (read_sql or {}).get(table, f"select count(*) from raw_{table}"))[0] + kept_read
        valid_sql = VALID_SQL.get(
            table, f"select count(*) from stg_input__{table} where reject_reason is null"
        )
        valid = one(con, valid_sql)[0]
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
    engine: str = "duckdb",
) -> None:
    run(
        con,
        "create or replace table build_info as select ? as built_at, ? as input_dir, ? as tokenyield_version, "
        "(select min(week) from int_period_weeks_listed) as period_start, "
        "(select max(week) from int_period_weeks_listed) as period_end, "
        "? as validation_seconds, ? as build_seconds_before_publish, ? as incremental, ? as plan_reason, "
        "? as fingerprint, ? as first_stage_engine",
        [
            datetime.now(UTC),
            str(settings.input_dir.resolve()),
            __version__,
            validation_seconds,
            build_seconds,
            plan.incremental,
            plan.reason,
            fingerprint(settings),
            engine,
        ],
    )


def _anchor_audit_log(settings: Settings, target: Path) -> None:
    """Keep the audit log's head beside the warehouse: a log cut shorter later no longer reaches it."""
    from pipelines.privacy import audit, audit_key

    try:
        audit_key.write(audit_key.warehouse_anchor(target), audit.head(settings.audit_path))
    except (OSError, duckdb.Error, audit.AuditError) as error:
        raise BuildError(
            f"the warehouse was published, but the audit log's head was not anchored: {error}"
        ) from None


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
