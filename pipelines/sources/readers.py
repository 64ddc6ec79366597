"""Shared readers and value parsers for importers: JSON, JSONC, NDJSON, DevLake raw tables.

Each raises SourceError naming the file (and the line/row and field where it applies), so an
importer never lets a json or csv exception reach the user.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipelines.sources.errors import SourceError

csv.field_size_limit(1 << 30)  # DevLake `data` cells hold whole API items


def read_json(path: Path) -> Any:
    """The JSON document in `path`."""
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"not valid JSON: {error.msg}", path=path, row=error.lineno) from None


def read_jsonc(path: Path) -> Any:
    """A JSON document that may hold `//`, `/* */` or `#` comments and trailing commas."""
    text = strip_jsonc(_read_text(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"not valid JSON: {error.msg}", path=path, row=error.lineno) from None


def read_ndjson(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSON-lines file."""
    yield from read_ndjson_text(_read_text(path), str(path))


def read_ndjson_text(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of JSON-lines `text` read from `source`."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise SourceError(f"not valid JSON: {error.msg}", path=source, row=number) from None
        if not isinstance(item, dict):
            raise SourceError("expected a JSON object", path=source, row=number)
        items.append((number, item))
    return items


def read_devlake_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, API item) for each row of a DevLake raw-table CSV.

    The CSV has columns id,params,data,url,input,created_at; `data` holds one API item as JSON.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "data" not in reader.fieldnames:
            raise SourceError("not a DevLake raw table: no 'data' column", path=path)
        for number, record in enumerate(reader, start=1):
            try:
                yield number, json.loads(record["data"])
            except (json.JSONDecodeError, TypeError):
                raise SourceError("not valid JSON", path=path, row=number, field="data") from None


def read_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each data row of a UTF-8 CSV file (BOM tolerated)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from enumerate(csv.DictReader(handle), start=1)


_JSONC_TOKEN = re.compile(
    r'"(?:\\.|[^"\\])*"'  # a string, kept as is
    r"|//[^\n]*|#[^\n]*|/\*.*?\*/"  # comments, dropped
    r"|,(?=\s*(?:(?://[^\n]*|#[^\n]*|/\*.*?\*/)\s*)*[}\]])",  # trailing comma, dropped
    re.DOTALL,
)


def strip_jsonc(text: str) -> str:
    """`text` without comments and trailing commas (string contents are left alone)."""
    return _JSONC_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)


def parse_timestamp(
    value: Any, *, path: Path | None = None, row: int | None = None, field: str | None = None
) -> datetime | None:
    """A UTC datetime from ISO-8601 text (offset, `Z`, or naive = UTC), a bare date (that day,
    UTC), or epoch seconds/milliseconds (numbers or digit strings; > 10^11 means milliseconds).
    None and "" give None."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            number = float(value)
            return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, tz=UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip().replace(" UTC", "+00:00"))
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise SourceError(f"expected a timestamp, got {value!r}", path=path, row=row, field=field)


def parse_date(
    value: Any, *, path: Path | None = None, row: int | None = None, field: str | None = None
) -> date | None:
    """The UTC day of `value` (see parse_timestamp)."""
    stamp = parse_timestamp(value, path=path, row=row, field=field)
    return None if stamp is None else stamp.date()


def to_int(value: Any, *, path: Path | None = None, row: int | None = None, field: str | None = None) -> int:
    """A non-negative integer from a number or numeric text; None and "" give 0."""
    if value is None or value == "":
        return 0
    try:
        number = _number(value) if isinstance(value, str) else value
        if isinstance(number, bool) or number != int(number) or number < 0:
            raise ValueError
        return int(number)
    except (TypeError, ValueError, OverflowError):
        raise SourceError(
            f"expected a whole number ≥ 0, got {value!r}", path=path, row=row, field=field
        ) from None


def to_float(
    value: Any, *, path: Path | None = None, row: int | None = None, field: str | None = None
) -> float | None:
    """A float from a number or numeric text; None and "" give None."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        return float(value)
    except (TypeError, ValueError):
        raise SourceError(f"expected a number, got {value!r}", path=path, row=row, field=field) from None


def _number(text: str) -> int | float:
    """An int from integer text (exact, even past 2**53), else a float."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError("no such file", path=path) from None
    except IsADirectoryError:
        raise SourceError("is a folder, expected a file", path=path) from None
    except UnicodeDecodeError:
        raise SourceError("not UTF-8 text", path=path) from None
