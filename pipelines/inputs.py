"""Find the canonical input tables in a folder and expose each as one raw DuckDB view.

A table is `DIR/<table>.csv|.parquet` or a folder of such files (any depth, hive partitions
allowed). The raw view has every contract column, typed as the file has it (CSV: text), with
optional columns filled with NULL, plus `_source_file` and `_source_row` (1-based data row)
for quarantine messages. A missing required column is a file-level problem: InputError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.db import run

# table -> (required columns, optional columns)
CONTRACT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "people": (
        ("person_id", "email", "name", "team", "manager_id", "role", "level"),
        ("start_date", "end_date"),
    ),
    "identities": (("person_id", "system", "external_id"), ()),
    "ai_usage": (
        ("occurred_at", "user", "tool", "model", "input_tokens", "output_tokens"),
        ("cache_read_tokens", "cache_write_tokens", "requests", "cost_usd", "event_id", "tokens_reported"),
    ),
    "ai_activity": (("occurred_on", "user", "tool", "metric", "value"), ()),
    "pull_requests": (
        ("repo", "number", "author", "created_at", "merged_at", "title"),
        ("additions", "deletions"),
    ),
    "tickets": (
        ("ticket_id", "assignee", "created_at", "resolved_at", "issue_type", "status"),
        (),
    ),
}
REQUIRED_TABLES = ("people", "ai_usage")
FORMATS = ("csv", "parquet")


class InputError(Exception):
    """A file-level problem: the build stops and prints this one line."""


@dataclass(frozen=True)
class TableFiles:
    table: str
    files: dict[str, list[Path]]  # format -> files

    @property
    def all_files(self) -> list[Path]:
        return sorted(f for files in self.files.values() for f in files)


def find_tables(input_dir: Path) -> dict[str, TableFiles]:
    """The files of every contract table present in input_dir."""
    if not input_dir.is_dir():
        raise InputError(f"{input_dir}: input folder not found")
    found: dict[str, TableFiles] = {}
    for table in CONTRACT:
        files: dict[str, list[Path]] = {}
        for fmt in FORMATS:
            single = input_dir / f"{table}.{fmt}"
            many = sorted((input_dir / table).rglob(f"*.{fmt}")) if (input_dir / table).is_dir() else []
            chosen = ([single] if single.is_file() else []) + many
            if chosen:
                files[fmt] = chosen
        if files:
            found[table] = TableFiles(table, files)
    for table in REQUIRED_TABLES:
        if table not in found:
            raise InputError(
                f"{input_dir}: required table '{table}' not found ({table}.csv, {table}.parquet or {table}/)"
            )
    return found


def _scan_sql(fmt: str, files: list[Path]) -> str:
    paths = "[" + ", ".join(_quote(str(f)) for f in files) + "]"
    if fmt == "csv":
        return (
            f"read_csv({paths}, all_varchar = true, header = true, union_by_name = true, "
            "filename = '_source_file', hive_partitioning = false)"
        )
    return f"read_parquet({paths}, union_by_name = true, filename = '_source_file', file_row_number = true, hive_partitioning = false)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, scan: str, file: Path) -> list[str]:
    try:
        return [row[0] for row in run(con, f"describe select * from {scan}")]
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0]
        raise InputError(f"{file}: cannot be read ({first_line})") from None


def create_raw_views(con: duckdb.DuckDBPyConnection, tables: dict[str, TableFiles]) -> None:
    """One view raw_<table> per contract table; an empty view for an absent optional table."""
    for table, (required, optional) in CONTRACT.items():
        wanted = required + optional
        if table not in tables:
            cols = ", ".join(f"null::varchar as {_ident(c)}" for c in wanted)
            run(
                con,
                f"create or replace view raw_{table} as select {cols}, null::varchar as _source_file, "
                "null::bigint as _source_row where false",
            )
            continue
        parts = []
        for fmt, files in tables[table].files.items():
            # CSV files are scanned one by one so that each row keeps its line in its own file;
            # a CSV scan keeps file order, so row_number() over () is the data row number.
            groups = [[f] for f in files] if fmt == "csv" else [files]
            for group in groups:
                scan = _scan_sql(fmt, group)
                present = set(_columns(con, scan, group[0]))
                missing = [c for c in required if c not in present]
                if missing:
                    raise InputError(
                        f"{_first_lacking(con, fmt, group, missing)}: missing required column(s) "
                        f"{', '.join(missing)} for table '{table}'"
                    )
                cols = ", ".join(_ident(c) if c in present else f"null as {_ident(c)}" for c in wanted)
                row = "file_row_number + 1" if fmt == "parquet" else "row_number() over ()"
                parts.append(f"select {cols}, _source_file, {row} as _source_row from {scan}")
        run(con, f"create or replace view raw_{table} as " + " union all by name ".join(parts))


def _first_lacking(con: duckdb.DuckDBPyConnection, fmt: str, files: list[Path], missing: list[str]) -> Path:
    for file in files:
        if any(c not in set(_columns(con, _scan_sql(fmt, [file]), file)) for c in missing):
            return file
    return files[0]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
