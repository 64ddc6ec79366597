"""Run one SQL model on a real in-memory DuckDB, given its input tables as polars frames."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.db import frame, run
from pipelines.models import load_models
from pipelines.privacy import pseudonyms

TEST_KEY = b"test-key"
MODELS = {model.name: model for model in load_models()}


def run_model(name: str, order_by: str | None = None, **inputs: pl.DataFrame) -> pl.DataFrame:
    con = duckdb.connect()
    run(con, "set TimeZone = 'UTC'")
    pseudonyms.register(con, TEST_KEY)
    for table, rows in inputs.items():
        con.register(f"given_{table}", rows)
        run(con, f"create table {table} as select * from given_{table}")
    sql = MODELS[name].sql
    result = frame(con, f"select * from ({sql}) as model" + (f" order by {order_by}" if order_by else ""))
    con.close()
    return result


def rows(result: pl.DataFrame, *columns: str) -> list[tuple]:
    return result.select(columns).rows() if columns else result.rows()


def by_roster_id(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A table as SQL with person_key swapped for the roster's person_id: each warehouse has its
    own pseudonym key, so two warehouses are compared person by person through dim_people."""
    columns = [row[0] for row in con.execute(f"describe {table}").fetchall()]
    if "person_key" not in columns:
        return table
    return (
        f"(select p.person_id as roster_id, t.* exclude (person_key) from {table} t "
        "left join dim_people p using (person_key))"
    )
