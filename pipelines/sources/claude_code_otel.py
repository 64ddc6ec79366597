"""Claude Code (and Gemini CLI) OpenTelemetry exports: OTLP JSON metrics and logs -> canonical.

Reads ExportMetricsServiceRequest (`{"resourceMetrics": [...]}`) and ExportLogsServiceRequest
(`{"resourceLogs": [...]}`) bodies, one per file or one per line (the collector's file exporter).
Metrics are read by `otel_metrics`. Log events: each `claude_code.api_request` and
`gemini_cli.api_response` is one request -> one ai_usage row with its tokens, model and (Claude
Code) `cost_usd`; other events are skipped. Send Claude Code's metrics or its logs to the folder
you import, not both: both carry the same tokens, which would be counted twice.
Gemini CLI's local `telemetry.outfile` (`.log`: pretty-printed OpenTelemetry JS records, one
after another, with flat `attributes`) is read for the same request events. Its records carry no
user unless the session was signed in: `--person EMAIL` names who a record without
`user.email` belongs to. Traces (`resourceSpans`) are the `otel` source's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows, otel_metrics
from pipelines.sources.errors import SourceError
from pipelines.sources.otel import USER_KEYS, attributes
from pipelines.sources.readers import parse_timestamp, read_json, read_ndjson, to_float, to_int

SOURCE = "claude-code-otel"


def parse(paths: list[Path], person: str | None = None, **_: Any) -> dict[str, pl.DataFrame]:
    """Read OTLP JSON metric and log exports (and Gemini CLI outfiles) into ai_usage and ai_activity."""
    metrics, usage = [], []
    for path in ai_rows.expand(paths, (".json", ".jsonl", ".log")):
        if path.suffix == ".log":
            usage.extend(outfile_rows(path, person))
            continue
        requests = read_ndjson(path) if path.suffix == ".jsonl" else [(1, read_json(path))]
        for number, request in requests:
            if not isinstance(request, dict):
                raise SourceError("expected an OTLP JSON object", path=path, row=number)
            if "resourceMetrics" in request:
                metrics.append((path, number, request))
            elif "resourceLogs" in request:
                usage.extend(log_rows(request, {"path": path, "row": number}))
            else:
                raise SourceError("not an OTLP metrics or logs export (no resourceMetrics or resourceLogs)",
                                  path=path, row=number)  # fmt: skip
    metric_usage, activity = otel_metrics.metric_rows(metrics)
    return ai_rows.tables(usage + metric_usage, activity)


# event name -> {ai_usage column: the attributes it sums}
_EVENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "api_request": {
        "input_tokens": ("input_tokens",), "output_tokens": ("output_tokens",),
        "cache_read_tokens": ("cache_read_tokens",), "cache_write_tokens": ("cache_creation_tokens",),
    },
    "gemini_cli.api_response": {
        "input_tokens": ("input_token_count", "tool_token_count"),
        "output_tokens": ("output_token_count", "thoughts_token_count"),
        "cache_read_tokens": ("cached_content_token_count",),
    },
}  # fmt: skip


def log_rows(request: dict, where: dict) -> list[dict]:
    """ai_usage rows for the request events of one ExportLogsServiceRequest."""
    rows = []
    for resource_logs in request.get("resourceLogs") or []:
        resource = attributes(ai_rows.dig(resource_logs, "resource", "attributes", default=[]))
        for scope in resource_logs.get("scopeLogs") or []:
            for record in scope.get("logRecords") or []:
                attrs = {**resource, **attributes(record.get("attributes") or [])}
                name = str(attrs.get("event.name") or ai_rows.dig(record, "body", "stringValue") or "")
                name = name.removeprefix("claude_code.")
                if name in _EVENTS:
                    rows.append(_request_row(name, attrs, record, where))
    return rows


def outfile_rows(path: Path, person: str | None) -> list[dict]:
    """ai_usage rows for the request events of a Gemini CLI telemetry outfile."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SourceError("not UTF-8 text", path=path) from None
    decoder, rows = json.JSONDecoder(), []
    position, number = 0, 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return rows
        number += 1
        try:
            record, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise SourceError(f"not a telemetry record: {error.msg}", path=path, row=number) from None
        attrs = record.get("attributes") if isinstance(record, dict) else None
        if isinstance(attrs, dict) and attrs.get("event.name") in _EVENTS:
            attrs = {"user.email": person, **attrs} if person and not attrs.get("user.email") else attrs
            rows.append(_request_row(str(attrs["event.name"]), attrs, {}, {"path": path, "row": number}))


def _request_row(name: str, attrs: dict, record: dict, where: dict) -> dict:
    field = f"{name} event"
    user = next((attrs[k] for k in USER_KEYS if attrs.get(k)), None)
    if not user:
        raise SourceError(
            "a request event with no user.email, enduser.id or user.id (import with --person EMAIL)",
            field=field, **where,
        )  # fmt: skip
    at = parse_timestamp(attrs.get("event.timestamp"), field=field, **where) or _nanos(record, field, where)
    counts = {
        column: sum(to_int(attrs.get(a), field=f"{field} {a}", **where) for a in names)
        for column, names in _EVENTS[name].items()
    }
    if name.startswith("gemini_cli"):  # Gemini's input count includes the cached tokens
        counts["input_tokens"] = max(counts["input_tokens"] - counts["cache_read_tokens"], 0)
    tool = str(attrs.get("service.name") or name.split(".", 1)[0].replace("_", "-"))
    return ai_rows.usage(
        occurred_at=at,
        user=str(user),
        tool=tool,
        model=attrs.get("model"),
        **counts,
        cost_usd=to_float(attrs.get("cost_usd"), field=f"{field} cost_usd", **where),
        event_id=ai_rows.key(
            SOURCE, tool, attrs.get("request_id") or attrs.get("prompt.id"), attrs.get("session.id"),
            attrs.get("event.sequence"), at.isoformat(),
        ),
    )  # fmt: skip


def _nanos(record: dict, field: str, where: dict) -> datetime:
    nanos = to_int(record.get("timeUnixNano"), field=f"{field} timeUnixNano", **where)
    if not nanos:
        raise SourceError("a log record with no event.timestamp or timeUnixNano", field=field, **where)
    return datetime.fromtimestamp(nanos // 10**9, UTC) + timedelta(microseconds=nanos % 10**9 // 1000)
