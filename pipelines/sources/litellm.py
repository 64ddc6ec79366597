"""LiteLLM proxy spend logs (table LiteLLM_SpendLogs, GET /spend/logs, or a CSV export) -> ai_usage.

One spend-log row is one request: `spend` is its cost in USD, prompt/completion tokens its usage.
The user is the key owner's email when the proxy recorded it (metadata.user_api_key_user_email),
else the internal `user`, else the hashed `api_key` (map it in identities, system `api_key`).
The global spend report (GET /global/spend/report) has per-key, per-model totals but no dates:
`report_rows(items, day)` reads it when the caller knows the day; `parse` refuses it.
Also reads `.jsonc` doc snippets (comments and trailing commas are stripped).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import (
    parse_timestamp,
    read_csv_rows,
    read_jsonc,
    read_ndjson,
    to_float,
    to_int,
)

SOURCE = "litellm"
TOOL = "litellm"


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read spend-log rows (JSON list or object, NDJSON, CSV, JSONC) into ai_usage."""
    rows = []
    for path in ai_rows.expand(paths, (".json", ".jsonc", ".jsonl", ".ndjson", ".csv")):
        for number, record in _records(path):
            rows.append(spend_log_row(record, {"path": path, "row": number}))
    return ai_rows.tables(rows)


def _records(path: Path) -> list[tuple[int, dict]]:
    if path.suffix == ".csv":
        return list(read_csv_rows(path))
    if path.suffix in (".jsonl", ".ndjson"):
        return list(read_ndjson(path))
    document = read_jsonc(path)
    items = document if isinstance(document, list) else document.get("data", [document])
    if items and isinstance(items[0], dict) and "model_details" in items[0]:
        raise SourceError("a global spend report has no dates: export /spend/logs instead", path=path)
    return list(enumerate(items, start=1))


def spend_log_row(record: dict, where: dict | None = None) -> dict:
    """One ai_usage row for a LiteLLM_SpendLogs record."""
    where = where or {}
    at = parse_timestamp(record.get("startTime") or record.get("start_time"), field="startTime", **where)
    if at is None:
        raise SourceError("a spend log row needs its startTime", field="startTime", **where)
    metadata = _metadata(record.get("metadata"))
    user = metadata.get("user_api_key_user_email") or record.get("user") or record.get("api_key")
    if not user:
        raise SourceError("no user or api_key", **where)
    request_id = record.get("request_id")
    return ai_rows.usage(
        occurred_at=at,
        user=user,
        tool=TOOL,
        model=record.get("model") or record.get("model_group"),
        input_tokens=to_int(record.get("prompt_tokens"), field="prompt_tokens", **where),
        output_tokens=to_int(record.get("completion_tokens"), field="completion_tokens", **where),
        cost_usd=to_float(record.get("spend"), field="spend", **where),
        event_id=ai_rows.key(SOURCE, request_id) if request_id else None,
    )


def report_rows(items: list[dict], day: datetime) -> list[dict]:
    """ai_usage rows for a global spend report's per-key items, all on `day`."""
    rows = []
    for item in items:
        for detail in item.get("model_details") or []:
            rows.append(
                ai_rows.usage(
                    occurred_at=day,
                    user=item["api_key"],
                    tool=TOOL,
                    model=detail.get("model"),
                    input_tokens=to_int(detail.get("total_input_tokens")),
                    output_tokens=to_int(detail.get("total_output_tokens")),
                    requests=0,  # not reported
                    cost_usd=to_float(detail.get("total_cost")),
                    event_id=ai_rows.key("litellm-report", day.date(), item["api_key"], detail.get("model")),
                )
            )
    return rows


def _metadata(value: Any) -> dict:
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, dict) else {}
