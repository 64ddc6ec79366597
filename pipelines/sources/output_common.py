"""Reading helpers shared by the output importers (GitHub, GitLab, Jira, Linear).

Each importer walks API items (from JSON files, webhook payloads or DevLake raw-table CSVs,
whose `data` column holds one verbatim API item as JSON) or CSV-export rows, and every bad
value is reported as an `OutputParseError` naming the file, the row, the column and what
was expected, so the CLI can print it on one line.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources.canonical import KEYS, SCHEMAS, TIMESTAMP, conform
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import read_json, read_jsonc

SUPPORTED_SUFFIXES = (".json", ".jsonc", ".csv")
csv.field_size_limit(1 << 30)  # DevLake `data` cells hold whole API items


class OutputParseError(SourceError):
    """A value an output importer cannot read: names the file, row, column and what was expected."""

    def __init__(
        self, file: Path | str, row: int | None, column: str | None, expected: str, got: object = None
    ):
        shown = got if not isinstance(got, str) or len(got) <= 80 else got[:77] + "..."
        message = f"expected {expected}" + (f", got {shown!r}" if got is not None else "")
        super().__init__(message, path=file, row=row, field=column)
        self.expected, self.got = expected, got


@dataclass(frozen=True)
class Item:
    """One API object and where it came from, for error messages."""

    file: Path
    row: int  # 1-based: the CSV data row, or the item's position in a JSON array
    obj: dict[str, Any]
    column: str = ""  # "data" for DevLake CSVs: errors name data.<field>
    source_url: str = ""  # DevLake CSVs: the URL the item was fetched from (names a commit's PR)

    def get(self, path: str) -> Any:
        value: Any = self.obj
        for key in path.split("."):
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def error(self, path: str, expected: str, got: object = None) -> OutputParseError:
        column = f"{self.column}.{path}" if self.column else path
        return OutputParseError(self.file, self.row, column, expected, got)

    def text(self, path: str, required: bool = False) -> str | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.error(path, "a value", value)
            return None
        if isinstance(value, (dict, list)):
            raise self.error(path, "text", value)
        return str(value)

    def integer(self, path: str, required: bool = False) -> int | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.error(path, "a whole number", value)
            return None
        if isinstance(value, bool) or not ((isinstance(value, int) and value >= 0) or str(value).isdigit()):
            raise self.error(path, "a whole number ≥ 0", value)
        return int(value)

    def timestamp(self, path: str, required: bool = False) -> datetime | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.error(path, "an ISO-8601 timestamp", value)
            return None
        parsed = parse_iso(str(value))
        if parsed is None:
            raise self.error(path, "an ISO-8601 timestamp", value)
        return parsed


def parse_iso(value: str, default_tz: tzinfo = UTC) -> datetime | None:
    """An ISO-8601 timestamp in UTC (`Z`, `+08:00` and `+0800` offsets); None if it is not one."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed.astimezone(UTC)


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and the supported files inside folders, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        elif path.is_file():
            files.append(path)
        else:
            raise OutputParseError(path, None, None, "an existing file or folder")
    return files


def load_json(path: Path) -> Any:
    """A JSON document; `.jsonc` doc snippets may hold comments and trailing commas."""
    return read_jsonc(path) if path.suffix.lower() == ".jsonc" else read_json(path)


def csv_header(path: Path) -> list[str]:
    """The header row of a UTF-8 CSV (BOM tolerated)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if header is None:
        raise OutputParseError(path, None, None, "a header row (the file is empty)")
    return header


def csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and (data row number, cells) of a UTF-8 CSV; quoted newlines allowed."""
    header = csv_header(path)

    def rows() -> Iterator[tuple[int, list[str]]]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for number, cells in enumerate(reader, start=1):
                if cells:
                    yield number, cells

    return header, rows()


def is_raw_table(header: list[str]) -> bool:
    """DevLake raw-table CSVs: id, params, data, url, input, created_at."""
    return "data" in header and "params" in header


def api_items(path: Path, unwrap: tuple[str, ...] = ()) -> Iterator[Item]:
    """The API objects in a JSON file (an array, one object, or a page whose `unwrap` key holds
    the array) or in a DevLake raw-table CSV (one JSON item per row in `data`)."""
    if path.suffix.lower() == ".csv":
        header, rows = csv_rows(path)
        if not is_raw_table(header):
            raise OutputParseError(
                path, None, None, "a DevLake raw-table CSV with a 'data' column", ",".join(header[:6])
            )
        at = header.index("data")
        url_at = header.index("url") if "url" in header else None
        for number, cells in rows:
            cell = cells[at] if at < len(cells) else ""
            try:
                obj = json.loads(cell)
            except json.JSONDecodeError:
                raise OutputParseError(path, number, "data", "one API item as JSON", cell) from None
            if not isinstance(obj, dict):
                raise OutputParseError(path, number, "data", "a JSON object", cell)
            url = cells[url_at] if url_at is not None and url_at < len(cells) else ""
            yield Item(path, number, obj, "data", url)
        return
    doc = load_json(path)
    for key in unwrap:
        if isinstance(doc, dict) and isinstance(doc.get(key), list):
            doc = doc[key]
            break
    items = doc if isinstance(doc, list) else [doc]
    for number, obj in enumerate(items, start=1):
        if not isinstance(obj, dict):
            raise OutputParseError(path, number, None, "a JSON object per item", obj)
        yield Item(path, number, obj)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: str | None) -> bool:
    return bool(value) and bool(_EMAIL.match(value))


def is_noreply(email: str) -> bool:
    return email.lower().endswith("@users.noreply.github.com")


def finish(table: str, rows: list[dict[str, Any]], order_by: str | None = None) -> pl.DataFrame:
    """Rows as the table's canonical frame, one row per key, sorted by key: the last row of a
    key wins (after a stable sort on `order_by`, e.g. updated_at, when given)."""
    schema = dict(SCHEMAS[table])
    if order_by:
        schema[order_by] = TIMESTAMP
    frame = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    if order_by:
        frame = frame.sort(order_by, nulls_last=False, maintain_order=True)
    keys = list(KEYS[table])
    return conform(table, frame.unique(subset=keys, keep="last").sort(keys))


def identity_hints(hints: list[tuple[str, str | None, str | None]], system: str) -> pl.DataFrame:
    """`identities` rows from a source's own account ↔ email mapping, (external_id, email, name)
    in order of preference; the first hint of an account wins, noreply and malformed emails are
    skipped. person_id holds the email, as an importer cannot know person ids: the build ignores
    such rows until `identities suggest` / `apply` turn them into reviewed ones."""
    seen: dict[str, dict[str, Any]] = {}
    for external_id, email, _name in hints:
        if not external_id or not is_email(email) or is_noreply(email or ""):
            continue
        seen.setdefault(
            external_id.lower(), {"person_id": email, "system": system, "external_id": external_id}
        )
    return finish("identities", list(seen.values()))
