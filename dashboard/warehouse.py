"""The dashboard's one way into the warehouse file: its identity, a read-only connection and cursors.

The connection is cached per warehouse file (path, inode, mtime), so when a build atomically swaps
in a new file the next rerun opens it, and every cached result elsewhere is keyed on that identity.
Each query runs on its own cursor: Streamlit runs sessions in threads. The other dashboard modules
(data, person_data, build_data, pack_data) read through cursor() and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import streamlit as st

from pipelines.db import run
from pipelines.metrics import queries
from pipelines.privacy import viewer as viewers
from pipelines.privacy.viewer import Viewer
from pipelines.settings import settings
from pipelines.warehouse import WarehouseError, connect_read_only


@dataclass(frozen=True)
class Warehouse:
    """Identifies one warehouse file; a build that swaps in a new file changes inode or mtime."""

    path: str
    inode: int
    mtime_ns: int


def warehouse_path() -> Path:
    return settings().warehouse_path


def current() -> Warehouse:
    """The warehouse file as it is now; raises WarehouseError when there is none."""
    path = warehouse_path()
    try:
        stat = os.stat(path)
    except OSError:
        raise WarehouseError(f"No warehouse at {path} yet.") from None
    return Warehouse(str(path.resolve()), stat.st_ino, stat.st_mtime_ns)


@st.cache_resource(max_entries=1, show_spinner=False)
def connection(warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    # max_entries=1: a swapped-in file evicts the old connection, which closes once unreferenced
    return connect_read_only(Path(warehouse.path))


@contextmanager
def cursor_for(warehouse: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own for one query: sessions run in threads and share the connection."""
    cursor = connection(warehouse).cursor()
    try:
        run(cursor, "set TimeZone = 'UTC'")  # a setting of each connection, not of the database
        yield cursor
    finally:
        cursor.close()


@st.cache_data(show_spinner=False)
def _weeks(warehouse: Warehouse) -> list[date]:
    with cursor_for(warehouse) as cursor:
        start, end = queries.period(cursor)
    if start is None or end is None:
        return []
    return [start + timedelta(days=7 * i) for i in range((end - start).days // 7 + 1)]


def weeks() -> list[date]:
    """The Monday of every week in the warehouse's period."""
    return _weeks(current())


@st.cache_data(show_spinner=False)
def _viewer(warehouse: Warehouse, email: str) -> Viewer:
    with cursor_for(warehouse) as cursor:
        return viewers.resolve(cursor, email)


def viewer(email: str) -> Viewer:
    """The Viewer for a signed-in email; raises AccessDenied for someone who may see nothing."""
    return _viewer(current(), email)
