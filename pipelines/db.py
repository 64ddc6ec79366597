"""Small DuckDB helpers.

DuckDB 2.0 keeps a result from execute() open until it is fetched to the end, and refuses other
work on that connection meanwhile; these helpers always finish what they start.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> list[tuple]:
    """Execute and fetch every row (an empty list for statements without rows)."""
    return con.execute(sql, params or []).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> tuple:
    rows = run(con, sql, params)
    return rows[0] if rows else ()


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> pl.DataFrame:
    return con.sql(sql, params=list(params) if params else None).pl()
