"""Run one SQL model on a real in-memory DuckDB, given its input tables as polars frames."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.db import frame, run
from pipelines.models import load_models

MODELS = {model.name: model for model in load_models()}


def run_model(name: str, order_by: str | None = None, **inputs: pl.DataFrame) -> pl.DataFrame:
    con = duckdb.connect()
    run(con, "set TimeZone = 'UTC'")
    for table, rows in inputs.items():
        con.register(f"given_{table}", rows)
        run(con, f"create table {table} as select * from given_{table}")
    sql = MODELS[name].sql
    result = frame(con, f"select * from ({sql}) as model" + (f" order by {order_by}" if order_by else ""))
    con.close()
    return result


def rows(result: pl.DataFrame, *columns: str) -> list[tuple]:
    return result.select(columns).rows() if columns else result.rows()
