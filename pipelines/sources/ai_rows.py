"""Row builders shared by the AI-usage importers, so every one fills the contract the same way.

`usage(...)` and `activity(...)` build one ai_usage / ai_activity row; `tables(...)` turns the
lists into conformed frames: ai_usage rows that share an event_id are kept once (the first),
ai_activity rows that share (day, user, tool, metric) are summed, zero-valued activity is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources.canonical import conform
from pipelines.sources.errors import SourceError

log = logging.getLogger("tokenyield.sources")


def usage(
    *,
    occurred_at: datetime,
    user: str,
    tool: str,
    model: str | None,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    requests: int = 1,
    cost_usd: float | None = None,
    event_id: str | None = None,
    tokens_reported: bool = True,
) -> dict[str, Any]:
    """One ai_usage row. `model` None becomes "unknown" (counted, reported as unpriced)."""
    return {
        "occurred_at": occurred_at,
        "user": user,
        "tool": tool,
        "model": model or "unknown",
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_tokens": cache_read_tokens,
        "cache_write_tokens": cache_write_tokens,
        "requests": requests,
        "cost_usd": cost_usd,
        "event_id": event_id,
        "tokens_reported": tokens_reported,
    }


def activity(occurred_on: date, user: str, tool: str, metric: str, value: float | None) -> dict[str, Any]:
    """One ai_activity row (`metric` from the contract's list)."""
    return {"occurred_on": occurred_on, "user": user, "tool": tool, "metric": metric, "value": value}


def tables(
    usage_rows: Iterable[dict[str, Any]] = (),
    activity_rows: Iterable[dict[str, Any]] = (),
    identity_rows: Iterable[dict[str, Any]] = (),
    people_rows: Iterable[dict[str, Any]] = (),
) -> dict[str, pl.DataFrame]:
    """Conformed frames for the non-empty row lists."""
    out: dict[str, pl.DataFrame] = {}
    usage_list = list(usage_rows)
    if usage_list:
        frame = conform("ai_usage", pl.DataFrame(usage_list, infer_schema_length=None))
        keyed = frame.filter(pl.col("event_id").is_not_null())
        keyed = keyed.unique("event_id", keep="first", maintain_order=True)
        out["ai_usage"] = pl.concat([keyed, frame.filter(pl.col("event_id").is_null())])
    activity_list = [row for row in activity_rows if row["value"]]
    if activity_list:
        frame = conform("ai_activity", pl.DataFrame(activity_list, infer_schema_length=None))
        keys = ["occurred_on", "user", "tool", "metric"]
        out["ai_activity"] = frame.group_by(keys, maintain_order=True).agg(pl.col("value").sum())
    for table, rows in (("identities", identity_rows), ("people", people_rows)):
        rows = list(rows)
        if rows:
            frame = conform(table, pl.DataFrame(rows, infer_schema_length=None))
            out[table] = frame.unique(maintain_order=True)
    return out


def merge(parts: Iterable[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """Concatenate per-file table dicts (used when one import reads several files)."""
    merged: dict[str, list[pl.DataFrame]] = {}
    for part in parts:
        for table, frame in part.items():
            merged.setdefault(table, []).append(frame)
    return {table: pl.concat(frames) for table, frames in merged.items()}


def expand(paths: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    """The files in `paths`: each file as given, each folder searched recursively for `suffixes`."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in suffixes))
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError("no such file or folder", path=path)
    return found


def key(*parts: object) -> str:
    """A deterministic event_id from its parts: `source:part:part...` (None becomes "")."""
    return ":".join("" if p is None else str(p) for p in parts)


def dig(record: Any, *path: str, default: Any = None) -> Any:
    """record[path[0]][path[1]]..., or `default` when any step is missing or not a dict."""
    for step in path:
        if not isinstance(record, dict) or step not in record:
            return default
        record = record[step]
    return default if record is None else record


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
