"""Find the canonical input tables in a folder and expose each as one raw DuckDB view.

A table is `DIR/<table>.csv|.parquet` or a folder of such files (any depth, hive partitions
allowed; names starting with "." are ignored). The raw view has every contract column, typed as
the file has it (CSV: text, an empty cell is NULL), with optional columns filled with NULL, plus
`_source_file`, `_source_row` (1-based data row, the header not counted) for quarantine messages,
and `_source_problem` (why a CSV row cannot be trusted as a whole, e.g. it has fewer values than
the header; NULL otherwise).

A file-level problem raises InputError, one line naming the file: a missing required column, an
empty file, a file that is not UTF-8, a quoted value never closed, a file that cannot be read.
CSV files are checked here, in one streaming pass, before DuckDB reads them: DuckDB's own errors
would surface later, inside a model, without the file's name, and a never-closed quote would
silently swallow the rows after it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date
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
        ("additions", "deletions", "head_ref", "agent", "delegator", "human_reviewed"),
    ),
    "tickets": (
        ("ticket_id", "assignee", "created_at", "resolved_at", "issue_type", "status"),
        ("agent",),
    ),
    # optional: the yearly loaded cost of each level (salary, benefits, taxes), never per person
    "cost_bands": (("level", "annual_loaded_cost"), ()),
}
REQUIRED_TABLES = ("people", "ai_usage")
# the quality check that counts people whose level has no cost band (the pages read its count)
UNBANDED_CHECK = "every level in people has a cost band (people without one are counted, not dropped)"
FORMATS = ("csv", "parquet")
# separators recognised from the header row; on a tie the first wins
DELIMITERS = (",", ";", "\t", "|")
CHUNK = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
# a hive partition folder named after the UTC day its files hold
PARTITION = re.compile(r"(?:^|/)date=(\d{4}-\d{2}-\d{2})(?:/|$)")
# the column a row's surplus values land in: the header's width is known, so DuckDB is told it
SURPLUS = "_surplus_value"


class InputError(Exception):
    """A file-level problem: the build stops and prints this one line."""


@dataclass(frozen=True)
class TableFiles:
    table: str
    files: dict[str, list[Path]]  # format -> files

    @property
    def all_files(self) -> list[Path]:
        return sorted(f for files in self.files.values() for f in files)


@dataclass(frozen=True)
class CsvLayout:
    """What the streaming check learned about one CSV file."""

    columns: tuple[str, ...]  # header names, in file order
    delimiter: str
    quoted: bool  # holds a '"': values may span lines, so DuckDB must read it in one thread


def find_tables(input_dir: Path) -> dict[str, TableFiles]:
    """The files of every contract table present in input_dir."""
    if not input_dir.is_dir():
        raise InputError(f"{input_dir}: input folder not found")
    found: dict[str, TableFiles] = {}
    for table in CONTRACT:
        files: dict[str, list[Path]] = {}
        for fmt in FORMATS:
            single = input_dir / f"{table}.{fmt}"
            folder = input_dir / table
            many = sorted(_visible_files(folder, fmt)) if folder.is_dir() else []
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


def partition_day(path: Path) -> date | None:
    """The day of a hive partition (`.../date=YYYY-MM-DD/...`) a file lies in, if any."""
    match = PARTITION.search(str(path))
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def in_window(files: TableFiles, since: date | None, until: date | None) -> TableFiles:
    """Only the files of the partitions between since and until (inclusive), found from their
    paths alone: the others are never opened. A file outside any date partition is always kept."""
    if since is None and until is None:
        return files

    def wanted(path: Path) -> bool:
        day = partition_day(path)
        return day is None or ((since is None or day >= since) and (until is None or day <= until))

    kept = {fmt: [f for f in fs if wanted(f)] for fmt, fs in files.files.items()}
    return TableFiles(files.table, {fmt: fs for fmt, fs in kept.items() if fs})


def with_files(tables: dict[str, TableFiles], table: str, files: list[str]) -> dict[str, TableFiles]:
    """`tables` with `table` narrowed to `files` (absent when none of its files is listed)."""
    wanted = set(files)
    subset = {fmt: [f for f in fs if str(f) in wanted] for fmt, fs in tables[table].files.items()}
    subset = {fmt: fs for fmt, fs in subset.items() if fs}
    others = {name: t for name, t in tables.items() if name != table}
    return others | ({table: TableFiles(table, subset)} if subset else {})


def _visible_files(folder: Path, fmt: str) -> list[Path]:
    """Files under folder, skipping hidden ones (macOS `._x.csv`, editors' temporary copies)."""
    return [
        f
        for f in folder.rglob(f"*.{fmt}")
        if f.is_file() and not any(part.startswith(".") for part in f.relative_to(folder).parts)
    ]


def inspect_csv(file: Path) -> CsvLayout:
    """Check one CSV file end to end, streaming, and read its header. Raises InputError."""
    try:
        with file.open("rb") as handle:
            first_line, quoted = _check_bytes(file, handle)
    except OSError as error:
        raise InputError(f"{file}: cannot be read ({error.strerror or error})") from None
    header = first_line.decode("utf-8", errors="replace").rstrip("\r")
    if not header.strip():
        raise InputError(f"{file}: line 1 is blank; the header row must be the first line")
    delimiter, names = max(
        ((d, next(csv.reader([header], delimiter=d))) for d in DELIMITERS),
        key=lambda found: len(found[1]),
    )
    columns = tuple(name.strip() or f"_unnamed_{i}" for i, name in enumerate(names, start=1))
    for name in columns:
        if columns.count(name) > 1:
            raise InputError(f"{file}: column '{name}' appears more than once in the header")
    if quoted:
        _check_quotes(file, delimiter)
    return CsvLayout(columns, delimiter, quoted)


def _check_bytes(file: Path, handle: io.BufferedReader) -> tuple[bytes, bool]:
    """Stream the file once: not empty, UTF-8 throughout, no NUL byte. Returns the first line
    (without a BOM) and whether a '"' occurs anywhere."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0  # newlines in the chunks already read
    first_line = None
    quoted, blank = False, True
    while chunk := handle.read(CHUNK):
        if first_line is None:
            if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise InputError(f"{file}: the file is UTF-16 (or UTF-32); save it as UTF-8")
            chunk = chunk.removeprefix(UTF8_BOM)
            first_line = chunk.split(b"\n", 1)[0]
        if b"\x00" in chunk:
            line = lines_before + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
            raise InputError(f"{file}: line {line} holds a NUL byte; this is not a UTF-8 text file")
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line = lines_before + chunk[: max(0, error.start - pending)].count(b"\n") + 1
            byte = error.object[error.start]
            raise InputError(
                f"{file}: line {line} is not UTF-8 (byte 0x{byte:02x}); save the file as UTF-8"
            ) from None
        lines_before += chunk.count(b"\n")
        quoted = quoted or b'"' in chunk
        blank = blank and not chunk.strip()
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(f"{file}: the file ends inside a UTF-8 character; save it as UTF-8") from None
    if blank:
        raise InputError(f"{file}: the file is empty (no header row)")
    return first_line or b"", quoted


def _check_quotes(file: Path, delimiter: str) -> None:
    """A quoted value that is never closed swallows every row after it: a file-level problem."""
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 30)  # let a runaway value run to the end of the file
    try:
        with file.open(encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text, delimiter=delimiter, strict=True)
            while True:
                opened_on = reader.line_num + 1
                try:
                    next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    # other malformed quoting (text after a closing quote) stays a row-level matter
                    if "unexpected end of data" in str(error):
                        raise InputError(
                            f"{file}: the quoted value opened on line {opened_on} is never closed"
                        ) from None
    finally:
        csv.field_size_limit(limit)


def create_raw_views(
    con: duckdb.DuckDBPyConnection, tables: dict[str, TableFiles], only: tuple[str, ...] | None = None
) -> None:
    """One view raw_<table> per contract table (or per table in `only`); an empty view for an
    absent table."""
    for table, (required, optional) in CONTRACT.items():
        if only is not None and table not in only:
            continue
        wanted = required + optional
        if table not in tables:
            cols = ", ".join(f"null::varchar as {_ident(c)}" for c in wanted)
            run(
                con,
                f"create or replace view raw_{table} as select {cols}, null::varchar as _source_file, "
                "null::bigint as _source_row, null::varchar as _source_problem where false",
            )
            continue
        parts = []
        for fmt, files in tables[table].files.items():
            if fmt == "csv":
                # one scan per file, so that each row keeps its data row number in its own file
                parts += [_csv_select(file, inspect_csv(file), table) for file in files]
            else:
                parts.append(_parquet_select(con, files, table))
        run(con, f"create or replace view raw_{table} as " + " union all by name ".join(parts))


def _csv_select(file: Path, layout: CsvLayout, table: str) -> str:
    """The raw rows of one CSV file. DuckDB is told the layout instead of sniffing it: a sniffer
    guesses from a sample, and one ragged row in it would change its guess for the whole file."""
    required, optional = CONTRACT[table]
    _require(file, table, layout.columns)
    names = (*layout.columns, SURPLUS)
    columns = "{" + ", ".join(f"{_quote(n)}: 'VARCHAR'" for n in names) + "}"
    # nullstr is a NUL, which no checked file holds: an empty cell reads as '' and a cell the row
    # lacks as NULL, so a short row can be told from empty trailing cells
    scan = (
        f"read_csv({_quote(str(file))}, header = false, skip = 1, auto_detect = false, "
        f"columns = {columns}, delim = {_quote(layout.delimiter)}, quote = '\"', escape = '\"', "
        f"null_padding = true, strict_mode = false, nullstr = chr(0), parallel = {not layout.quoted}, "
        "filename = '_source_file', hive_partitioning = false)"
    )
    cols = ", ".join(
        f"nullif({_ident(c)}, '') as {_ident(c)}" if c in layout.columns else f"null::varchar as {_ident(c)}"
        for c in required + optional
    )
    width = len(layout.columns)
    # the number of values a short row has: the position of its last non-NULL cell
    present = " ".join(
        f"when {_ident(c)} is not null then {i}" for i, c in reversed(list(enumerate(layout.columns, 1)))
    )
    problem = (
        f"case when {SURPLUS} is not null then 'row has more values than the header''s {width}' "
        f"when {_ident(layout.columns[-1])} is null then "
        f"'row has ' || (case {present} else 0 end) || ' of the header''s {width} values' end"
    )
    return (
        f"select {cols}, _source_file, row_number() over () as _source_row, "
        f"{problem} as _source_problem from {scan}"
    )


def _parquet_select(con: duckdb.DuckDBPyConnection, files: list[Path], table: str) -> str:
    required, optional = CONTRACT[table]
    for file in files:
        if file.stat().st_size == 0:
            raise InputError(f"{file}: the file is empty")
    columns = _parquet_columns(con, files)
    for file in files:
        _require(file, table, columns[file])
    present = set().union(*columns.values())
    paths = "[" + ", ".join(_quote(str(f)) for f in files) + "]"
    cols = ", ".join(_ident(c) if c in present else f"null as {_ident(c)}" for c in required + optional)
    return (
        f"select {cols}, _source_file, file_row_number + 1 as _source_row, null::varchar as _source_problem "
        f"from read_parquet({paths}, union_by_name = true, filename = '_source_file', "
        "file_row_number = true, hive_partitioning = false)"
    )


def _parquet_columns(con: duckdb.DuckDBPyConnection, files: list[Path]) -> dict[Path, tuple[str, ...]]:
    """The column names of every Parquet file, read from their footers in one query."""
    paths = "[" + ", ".join(_quote(str(f)) for f in files) + "]"
    try:
        found = run(con, f"select file_name, list(name) from parquet_schema({paths}) group by file_name")
    except duckdb.Error as error:
        if len(files) > 1:  # find the file at fault
            for file in files:
                _parquet_columns(con, [file])
        raise InputError(f"{files[0]}: cannot be read as Parquet ({_reason(error)})") from None
    by_name = {name: tuple(cols) for name, cols in found}
    return {file: by_name.get(str(file), ()) for file in files}


def _require(file: Path, table: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in CONTRACT[table][0] if c not in columns]
    if missing:
        raise InputError(f"{file}: missing required column(s) {', '.join(missing)} for table '{table}'")


def _reason(error: Exception) -> str:
    """DuckDB's first line without its "Invalid Input Error: " prefix."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    return first.split(" Error: ", 1)[-1]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
