"""Open a built warehouse read-only, with a clear error when there is none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.db import one, run


class WarehouseError(Exception):
    """No usable warehouse at the path; the message says what to run."""


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not Path(path).is_file():
        raise WarehouseError(
            f"{path}: no warehouse here; run `tokenyield build --input DIR --db {path}` first"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise WarehouseError(f"{path}: cannot be opened ({str(error).splitlines()[0]})") from None
    run(con, "set TimeZone = 'UTC'")
    try:
        one(con, "select 1 from build_info")
    except duckdb.Error:
        con.close()
        raise WarehouseError(f"{path}: not a tokenyield warehouse (no build_info table)") from None
    return con


@contextmanager
def open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect_read_only(path)
    try:
        yield con
    finally:
        con.close()
