"""Engines for the first stage: per-request usage rows -> user-day sums.

The first stage is written once, as Ibis expressions (first_stage.py). DuckDB runs it on the build
connection (the default); Spark runs it where the raw rows live, a partitioned Parquet lake, and
hands back only small tables. Either way the same three tables land in the build's DuckDB, and
every later layer reads them there:

- FIRST_STAGE: one row per user key, UTC day, tool, model and tokens_reported;
- `stage_file_days`: rows read and rejected per input file and UTC day (row accounting);
- `usage_rejects`: each rejected row's file, row, column and reason (the quarantine).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.db import run

ENGINES = ("duckdb", "spark")
FIRST_STAGE = "int_ai_usage_aggregated_to_user_day"
# the first stage's model files, compiled from first_stage.py; the build runs the Ibis expressions
FIRST_STAGE_MODELS = ("int_ai_usage_repeated_event_hashes", FIRST_STAGE)

# what lands in DuckDB, with its types: every engine's result is cast to exactly this
USER_DAY_COLUMNS = {
    "user_key": "varchar",
    "usage_date": "date",
    "tool": "varchar",
    "model": "varchar",
    "tokens_reported": "boolean",
    "source_rows": "bigint",
    "requests": "bigint",
    "input_tokens": "bigint",
    "output_tokens": "bigint",
    "cache_read_tokens": "bigint",
    "cache_write_tokens": "bigint",
    "reported_cost_micro_usd": "bigint",
    "unpriced_input_tokens": "bigint",
    "unpriced_output_tokens": "bigint",
    "unpriced_cache_read_tokens": "bigint",
    "unpriced_cache_write_tokens": "bigint",
    "last_event_at": "timestamptz",
}
FILE_DAY_COLUMNS = {
    "source_file": "varchar",
    "usage_date": "date",
    "rows_read": "bigint",
    "rows_rejected": "bigint",
    "rows_without_id": "bigint",
}
REJECT_COLUMNS = {
    "source_file": "varchar",
    "source_row": "bigint",
    "reject_column": "varchar",
    "reject_reason": "varchar",
}


class EngineError(Exception):
    """The engine could not run the first stage; the message is one line for the user."""


@dataclass(frozen=True)
class FirstStageRun:
    engine: str
    seconds: float


def land(
    con: duckdb.DuckDBPyConnection, table: str, source: str, columns: dict[str, str], where: str = ""
) -> None:
    """Create `table` from the relation named `source`, cast to exactly `columns`, in that order."""
    select = ", ".join(f'cast("{name}" as {kind}) as "{name}"' for name, kind in columns.items())
    run(con, f'create or replace table {table} as select {select} from "{source}" {where}')


def run_first_stage(
    con: duckdb.DuckDBPyConnection,
    engine: str,
    files: list[str],
    days: list | None = None,
) -> FirstStageRun:
    """Run the first stage on `engine` over the ai_usage `files` and land its three tables.

    On DuckDB the rows come from the staging view stg_input__ai_usage (over exactly `files`); on
    Spark from the Parquet files themselves. With `days`, the user-day rows are kept only for those
    days (an incremental build copies the others from the previous warehouse)."""
    if engine == "duckdb":
        from pipelines.engines.on_duckdb import run_on_duckdb

        return run_on_duckdb(con, days)
    if engine == "spark":
        from pipelines.engines.on_spark import run_on_spark

        return run_on_spark(con, files, days)
    raise EngineError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
