"""How the demo writes files: fixed writer settings, so one seed always gives the same bytes.

Parquet gets one compression, one format version and one row-group size, and nothing in any
file records when it was written. CSV timestamps are ISO-8601 in UTC with a `Z`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

CSV_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_PARQUET_SETTINGS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 1_000_000,
}


def write_parquet(table: pa.Table, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **_PARQUET_SETTINGS)
    return table.num_rows


def write_parquet_batches(batches: Iterable[pa.RecordBatch], schema: pa.Schema, path: Path) -> int:
    """One Parquet file from batches, each its own row group, without holding the whole table."""
    settings = {key: value for key, value in _PARQUET_SETTINGS.items() if key != "row_group_size"}
    rows = 0
    with pq.ParquetWriter(path, schema, **settings) as writer:
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def write_csv(frame: pl.DataFrame, path: Path) -> int:
    frame.write_csv(path, datetime_format=CSV_TIMESTAMP_FORMAT)
    return frame.height


class CsvAppender:
    """Writes one CSV from many pieces (one per day), so a large table never sits in memory."""

    def __init__(self, path: Path) -> None:
        self._file: IO[bytes] = path.open("wb")
        self._header_written = False
        self.rows = 0

    def append(self, piece: pa.Table) -> None:
        frame = pl.DataFrame(pl.from_arrow(piece))
        frame.write_csv(
            self._file, include_header=not self._header_written, datetime_format=CSV_TIMESTAMP_FORMAT
        )
        self._header_written = True
        self.rows += piece.num_rows

    def close(self) -> None:
        self._file.close()


def clear_day_partitions(folder: Path) -> None:
    """Remove `date=YYYY-MM-DD` folders an earlier run left, so no stale day survives a rerun."""
    if folder.is_dir():
        for partition in folder.glob("date=*"):
            if partition.is_dir():
                shutil.rmtree(partition)
