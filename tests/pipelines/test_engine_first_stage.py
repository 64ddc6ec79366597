"""The first stage is written once, in Ibis: its model files are that expression's DuckDB SQL, and
the Ibis staging twin (for engines that read raw files) gives the SQL staging view's verdicts."""

from __future__ import annotations

import warnings

import duckdb
import ibis
import polars as pl
from polars.testing import assert_frame_equal

from pipelines.db import frame
from pipelines.engines.compile import compiled
from pipelines.engines.staging import staged_usage
from pipelines.models import SQL_DIR, load_models

# every rule of the staging model, on text cells (as CSV gives them)
RAW = [
    (
        "2026-03-02T10:00Z",
        " Ann@X.io ",
        " Claude-Code",
        "claude-sonnet-4-5",
        "100",
        "20",
        None,
        None,
        None,
        None,
        "e1",
        None,
    ),
    ("2026-03-02T23:30:00-02:00", "bob", "cursor", "gpt-5", "5", "6", "7", "8", "3", "0.25", " ", "false"),
    ("2026-03-04", "cat", "", "", "0", "0", "0", "0", "9", None, None, "true"),
    ("yesterday", "a", "t", "m", "1", "1", None, None, None, None, None, None),
    ("1999-12-31T23:59:59Z", "a", "t", "m", "1", "1", None, None, None, None, None, None),
    ("2026-03-02", "  ", "t", "m", "1", "1", None, None, None, None, None, None),
    ("2026-03-02", "a", "t", "m", "-5", "1", None, None, None, None, None, None),
    ("2026-03-02", "a", "t", "m", "12.5", "1", None, None, None, None, None, None),
    ("2026-03-02", "a", "t", "m", "1", "lots", None, None, None, None, None, None),
    ("2026-03-02", "a", "t", "m", "1", "1", "x", None, None, None, None, None),
    ("2026-03-02", "a", "t", "m", "1", "1", None, "-1", None, None, None, None),
    ("2026-03-02", "a", "t", "m", "1", "1", None, None, "many", None, None, None),
    ("2026-03-02", "a", "t", "m", "1", "1", None, None, None, "$3", None, None),
    ("2026-03-02", "a", "t", "m", "1", "1", None, None, None, "-0.5", None, None),
]
COLUMNS = [
    "occurred_at",
    "user",
    "tool",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "requests",
    "cost_usd",
    "event_id",
    "tokens_reported",
]


def test_the_model_files_are_the_ibis_expression_compiled_for_duckdb():
    for name, text in compiled().items():
        assert (SQL_DIR / "intermediate" / f"{name}.sql").read_text() == text, (
            f"{name}.sql is stale: run .venv/bin/python -m pipelines.engines.compile"
        )


def test_the_ibis_staging_twin_gives_the_sql_staging_verdicts():
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    given = pl.DataFrame(RAW, schema=COLUMNS, orient="row")
    con.register("given", given)
    con.execute(
        "create table raw_ai_usage as select *, 'f.csv' as _source_file, row_number() over () as _source_row, "
        "case when user = '  ' then null end::varchar as _source_problem from given"
    )
    sql = next(m for m in load_models() if m.name == "stg_input__ai_usage").sql
    expected = frame(con, f"select * from ({sql}) order by source_row")
    backend = ibis.duckdb.from_connection(con)
    with warnings.catch_warnings():  # ibis 12 reads the schema with a call DuckDB 2.0 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        twin = backend.compile(staged_usage(backend.table("raw_ai_usage")))
    actual = frame(con, f"select * from ({twin}) order by source_row")
    assert_frame_equal(actual, expected)
    assert expected["reject_column"].null_count() == 3  # the rules fire: 11 of 14 rows rejected
