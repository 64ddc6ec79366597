"""Reads what the identity commands need from an input folder in the contract, with DuckDB.

Each table is `DIR/<table>.csv|.parquet` or a folder of such files (any depth). Only the
columns the identity rules use are read, as text; a table may lack the optional ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.sources.errors import SourceError

# (table, column holding the account, column holding the tool)
USES = (
    ("ai_usage", "user", "tool"),
    ("ai_activity", "user", "tool"),
    ("pull_requests", "author", None),
    ("tickets", "assignee", None),
)
# store.append writes `<source>-<16 hex>.parquet`: the source names the system
_STORED = re.compile(r"([^/\\]+)-[0-9a-f]{16}\.(?:parquet|csv)$")
_TOOL_SYSTEMS = {"copilot": "github", "claude-code": "anthropic", "openai-api": "openai", "codex": "openai"}


@dataclass(frozen=True)
class InputTables:
    people: dict[str, list[str | None]]  # person_id, email, name
    identities: list[dict[str, str | None]]  # person_id, system, external_id, name, _file
    uses: list[tuple[str, str, str | None, str | None]]  # table, account, tool, source


def table_files(input_dir: Path, table: str) -> list[Path]:
    """The table's files: `DIR/<table>.csv|.parquet` and everything under `DIR/<table>/`."""
    single = [
        input_dir / f"{table}.{fmt}" for fmt in ("csv", "parquet") if (input_dir / f"{table}.{fmt}").is_file()
    ]
    folder = input_dir / table
    many = sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".parquet")) if folder.is_dir() else []
    return single + [p for p in many if not p.name.startswith(".")]


def read_rows(
    files: list[Path], columns: list[str], required: tuple[str, ...] = (), *, distinct: bool = False
) -> list[dict[str, str | None]]:
    """The given columns (as text; null where a file lacks one) of every row, plus `_file`, or
    with `distinct` the distinct rows plus `_source` (the importer named by a stored file)."""
    con = duckdb.connect()
    rows: list[dict[str, str | None]] = []
    for fmt in ("csv", "parquet"):
        chosen = [f for f in files if f.suffix == f".{fmt}"]
        if not chosen:
            continue
        scan = _scan(fmt, chosen)
        try:
            present = {row[0] for row in con.execute(f"describe select * from {scan}").fetchall()}
        except duckdb.Error as error:
            raise SourceError(f"cannot be read ({str(error).splitlines()[0]})", path=chosen[0]) from None
        missing = [c for c in required if c not in present]
        if missing:
            raise SourceError(f"missing required column(s) {', '.join(missing)}", path=chosen[0])
        selected = [f'cast("{c}" as varchar)' if c in present else "null::varchar" for c in columns]
        if distinct:
            extra, name = f"regexp_extract(filename, '{_STORED.pattern}', 1)", "_source"
        else:
            extra, name = "filename", "_file"
        query = f"select {'distinct ' if distinct else ''}{', '.join([*selected, extra])} from {scan}"
        for values in con.execute(query).fetchall():
            rows.append(dict(zip([*columns, name], values, strict=True)))
    con.close()
    return rows


def read_inputs(input_dir: Path) -> InputTables:
    if not input_dir.is_dir():
        raise SourceError("input folder not found", path=input_dir)
    people_files = table_files(input_dir, "people")
    if not people_files:
        raise SourceError("no people table (people.csv, people.parquet or people/)", path=input_dir)
    people_rows = read_rows(people_files, ["person_id", "email", "name"], ("person_id", "email"))
    people = {c: [r[c] for r in people_rows] for c in ("person_id", "email", "name")}
    identities = read_rows(
        table_files(input_dir, "identities"),
        ["person_id", "system", "external_id", "name"],
        ("person_id", "system", "external_id"),
    )
    uses = []
    for table, account, tool in USES:
        columns = [account] + ([tool] if tool else [])
        for row in read_rows(table_files(input_dir, table), columns, (account,), distinct=True):
            uses.append((table, row[account], row.get(tool) if tool else None, row["_source"] or None))
    return InputTables(people, identities, _distinct(uses))


def system_of(table: str, tool: str | None, source: str | None) -> str:
    """The system an account belongs to: the importer's name when store.append wrote the file,
    else what the table implies (GitHub for PR authors, Jira for assignees, the tool for usage)."""
    if table == "pull_requests":
        return source if source in ("github", "gitlab") else "github"
    if table == "tickets":
        return source if source in ("jira", "linear") else "jira"
    return _TOOL_SYSTEMS.get((tool or "").casefold(), (tool or "unknown").casefold())


def _distinct(
    uses: list[tuple[str, str, str | None, str | None]],
) -> list[tuple[str, str, str | None, str | None]]:
    return list(dict.fromkeys(u for u in uses if u[1]))


def _scan(fmt: str, files: list[Path]) -> str:
    paths = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
    if fmt == "parquet":
        return f"read_parquet({paths}, union_by_name = true, filename = true, hive_partitioning = false)"
    return (
        f"read_csv({paths}, all_varchar = true, header = true, union_by_name = true, "
        "filename = true, hive_partitioning = false)"
    )
