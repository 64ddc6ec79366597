"""OTLP JSON trace exports of GenAI spans -> ai_usage (OpenTelemetry GenAI semantic conventions).

Reads an ExportTraceServiceRequest (`{"resourceSpans": [...]}`), or JSON lines of them as the
collector's file exporter writes. Each span carrying `gen_ai.usage.*` attributes is one request:
`gen_ai.usage.input_tokens` includes cached input (per the conventions), so the row's
input_tokens are what remains after `gen_ai.usage.cache_read.input_tokens` and
`gen_ai.usage.cache_creation.input_tokens`. The model is `gen_ai.response.model`, else
`gen_ai.request.model`; the user is the span's (else the resource's) `user.email`, `enduser.id`
or `user.id`; the tool is the resource's `service.name`. Agent and tool spans
(`gen_ai.operation.name` invoke_agent, create_agent, execute_tool) aggregate their children and
are skipped so nothing is counted twice. Deprecated `gen_ai.usage.prompt_tokens` /
`completion_tokens` are read as input / output.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import read_json, to_float, to_int

SOURCE = "otel"
USER_KEYS = ("user.email", "enduser.id", "user.id")
AGGREGATE_OPERATIONS = {"invoke_agent", "create_agent", "execute_tool"}


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read OTLP JSON trace exports into ai_usage."""
    rows = []
    for path in ai_rows.expand(paths, (".json", ".jsonl")):
        for number, request in _requests(path):
            rows.extend(span_rows(request, {"path": path, "row": number}))
    return ai_rows.tables(rows)


def _requests(path: Path) -> list[tuple[int, dict]]:
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        try:
            return [(n, json.loads(line)) for n, line in enumerate(lines, start=1) if line.strip()]
        except json.JSONDecodeError as error:
            raise SourceError(f"not valid JSON: {error.msg}", path=path) from None
    document = read_json(path)
    if not isinstance(document, dict) or "resourceSpans" not in document:
        raise SourceError("not an OTLP JSON trace export: no 'resourceSpans'", path=path)
    return [(1, document)]


def span_rows(request: dict, where: dict) -> list[dict]:
    """ai_usage rows for the GenAI spans of one ExportTraceServiceRequest."""
    rows = []
    for resource_spans in request.get("resourceSpans") or []:
        resource = attributes(ai_rows.dig(resource_spans, "resource", "attributes", default=[]))
        for scope in resource_spans.get("scopeSpans") or []:
            for span in scope.get("spans") or []:
                row = _span_row(span, resource, where)
                if row is not None:
                    rows.append(row)
    return rows


def _span_row(span: dict, resource: dict[str, Any], where: dict) -> dict | None:
    attrs = attributes(span.get("attributes") or [])
    usage_keys = [k for k in attrs if k.startswith("gen_ai.usage.")]
    if not usage_keys or attrs.get("gen_ai.operation.name") in AGGREGATE_OPERATIONS:
        return None
    field = f"span {span.get('spanId')}"

    def count(*names: str) -> int:
        return next((to_int(attrs[n], field=f"{field} {n}", **where) for n in names if n in attrs), 0)

    cache_read = count("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")
    cache_write = count(
        "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens"
    )
    total_input = count("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
    user = next((attrs.get(k) or resource.get(k) for k in USER_KEYS if attrs.get(k) or resource.get(k)), None)
    if not user:
        raise SourceError("a GenAI span with no user.email, enduser.id or user.id", field=field, **where)
    nanos = to_int(span.get("startTimeUnixNano"), field=f"{field} startTimeUnixNano", **where)
    if not nanos:
        raise SourceError("a GenAI span with no startTimeUnixNano", field=field, **where)
    started = datetime.fromtimestamp(nanos // 10**9, UTC) + timedelta(microseconds=nanos % 10**9 // 1000)
    return ai_rows.usage(
        occurred_at=started,
        user=str(user),
        tool=str(resource.get("service.name") or attrs.get("gen_ai.provider.name") or "otel"),
        model=attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model"),
        input_tokens=max(total_input - cache_read - cache_write, 0),
        output_tokens=count("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        # not in the conventions, but some SDKs (e.g. Langfuse) record the cost this way
        cost_usd=to_float(attrs.get("gen_ai.usage.cost"), field=field, **where),
        event_id=ai_rows.key(SOURCE, span.get("traceId"), span.get("spanId")),
    )


def attributes(items: list[dict]) -> dict[str, Any]:
    """OTLP JSON `[{"key": k, "value": {"stringValue": v}}]` -> {k: v} (intValue is a string)."""
    out = {}
    for item in items:
        value = item.get("value") or {}
        if "intValue" in value:
            out[item["key"]] = int(value["intValue"])
        elif value:
            out[item["key"]] = next(iter(value.values()))
    return out
