"""OTLP JSON metrics (ExportMetricsServiceRequest) from Claude Code, Gemini CLI and GenAI SDKs.

Each data point of a known metric becomes part of a row:
- tokens -> ai_usage, one row per (user, tool, model, session, point time): Claude Code's
  `claude_code.token.usage` (type input / output / cacheRead / cacheCreation) with the cost of
  `claude_code.cost.usage` (USD) at the same point; Gemini CLI's `gemini_cli.token.usage` (input
  includes the cached tokens, which become cache reads; thought and tool tokens count as output
  and input) with `gemini_cli.api.request.count` as requests; the GenAI conventions' histogram
  `gen_ai.client.token.usage` (its sum, by `gen_ai.token.type`; its count of input points is the
  number of requests). Claude Code's metrics carry no request count (requests 0).
- activity -> ai_activity per day: sessions (`*.session.count`), commits, pull requests
  (`claude_code.commit.count`, `claude_code.pull_request.count`), lines added / removed
  (`claude_code.lines_of_code.count`, `gemini_cli.lines.changed`), edit-tool accepts and rejects
  (`claude_code.code_edit_tool.decision`).
Sums may be DELTA (temporality 1, Claude Code's default) or CUMULATIVE (2, the OpenTelemetry JS
default Gemini CLI uses): a cumulative series becomes increments between its points, within the
files of one import, so import a session's files together. The user is the point's (else the
resource's) `user.email`, `enduser.id` or `user.id`; the tool is the resource's `service.name`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.otel import USER_KEYS, attributes
from pipelines.sources.readers import to_float

SOURCE = "claude-code-otel"
CUMULATIVE = 2

# metric name -> {point type attribute value: ai_usage column}
_TOKENS: dict[str, tuple[str, dict[str, str]]] = {
    "claude_code.token.usage": ("type", {
        "input": "input_tokens", "output": "output_tokens",
        "cacheRead": "cache_read_tokens", "cacheCreation": "cache_write_tokens",
    }),
    "gemini_cli.token.usage": ("type", {
        "input": "input_tokens", "output": "output_tokens", "thought": "output_tokens",
        "cache": "cache_read_tokens", "tool": "input_tokens",
    }),
    "gen_ai.client.token.usage": ("gen_ai.token.type", {"input": "input_tokens", "output": "output_tokens"}),
}  # fmt: skip
_COST = {"claude_code.cost.usage"}
_REQUESTS = {"gemini_cli.api.request.count"}
# metric name -> (attribute that splits it, {attribute value: ai_activity metric}); None: one metric
_ACTIVITY: dict[str, tuple[str | None, dict[str | None, str]]] = {
    "claude_code.session.count": (None, {None: "sessions"}),
    "gemini_cli.session.count": (None, {None: "sessions"}),
    "claude_code.commit.count": (None, {None: "commits"}),
    "claude_code.pull_request.count": (None, {None: "pull_requests"}),
    "claude_code.lines_of_code.count": ("type", {"added": "lines_added", "removed": "lines_removed"}),
    "gemini_cli.lines.changed": ("type", {"added": "lines_added", "removed": "lines_removed"}),
    "claude_code.code_edit_tool.decision": ("decision", {"accept": "acceptances", "reject": "rejections"}),
}
KNOWN = set(_TOKENS) | _COST | _REQUESTS | set(_ACTIVITY)


def metric_rows(requests: list[tuple[Any, int, dict]]) -> tuple[list[dict], list[dict]]:
    """(ai_usage rows, ai_activity rows) for the known metrics of (file, line, request) triples."""
    series: dict[tuple, list[tuple[int, float, dict, dict]]] = defaultdict(list)
    for path, number, request in requests:
        where = {"path": path, "row": number}
        for resource_metrics in request.get("resourceMetrics") or []:
            resource = attributes(ai_rows.dig(resource_metrics, "resource", "attributes", default=[]))
            for scope in resource_metrics.get("scopeMetrics") or []:
                for metric in scope.get("metrics") or []:
                    if metric.get("name") in KNOWN:
                        _collect(metric, resource, where, series)
    usage: dict[tuple, dict] = {}
    activity = []
    for (name, cumulative, *_), points in series.items():
        points.sort(key=lambda p: p[0])
        previous = 0.0
        for nanos, value, attrs, where in points:
            delta = value - previous if cumulative and value >= previous else value
            previous = value
            if delta:
                activity.extend(_apply(name, nanos, delta, attrs, where, usage))
    for row in usage.values():
        row["input_tokens"] = max(row["input_tokens"], 0)
    return list(usage.values()), activity


def _collect(metric: dict, resource: dict, where: dict, series: dict) -> None:
    kind = next((k for k in ("sum", "histogram", "gauge") if k in metric), None)
    if kind is None:
        return
    body = metric[kind]
    cumulative = body.get("aggregationTemporality") == CUMULATIVE
    for point in body.get("dataPoints") or []:
        attrs = {**resource, **attributes(point.get("attributes") or [])}
        field = f"{metric['name']} timeUnixNano"
        nanos = int(point.get("timeUnixNano") or 0)
        if not nanos:
            raise SourceError("a data point with no timeUnixNano", field=field, **where)
        raw = point.get("sum") if kind == "histogram" else point.get("asInt", point.get("asDouble"))
        value = to_float(raw, field=metric["name"], **where) or 0.0
        if kind == "histogram":
            attrs["_count"] = int(point.get("count") or 0)
        identity = tuple(sorted((k, str(v)) for k, v in attrs.items() if k != "_count"))
        series[(metric["name"], cumulative, point.get("startTimeUnixNano"), identity)].append(
            (nanos, value, attrs, where)
        )


def _apply(name: str, nanos: int, value: float, attrs: dict, where: dict, usage: dict) -> list[dict]:
    user = next((attrs[k] for k in USER_KEYS if attrs.get(k)), None)
    if not user:
        raise SourceError("a data point with no user.email, enduser.id or user.id", field=name, **where)
    at = datetime.fromtimestamp(nanos // 10**9, UTC) + timedelta(microseconds=nanos % 10**9 // 1000)
    tool = str(attrs.get("service.name") or name.split(".", 1)[0].replace("_", "-"))
    if name in _ACTIVITY:
        split, metrics = _ACTIVITY[name]
        metric = metrics.get(None if split is None else attrs.get(split))
        return [ai_rows.activity(at.date(), str(user), tool, metric, value)] if metric else []
    model = attrs.get("model") or attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model")
    session = attrs.get("session.id")
    key = (nanos, str(user), tool, model, session)
    row = usage.get(key)
    if row is None:
        row = usage[key] = ai_rows.usage(
            occurred_at=at, user=str(user), tool=tool, model=model, requests=0, tokens_reported=False,
            event_id=ai_rows.key(SOURCE, tool, user, session, model, nanos),
        )  # fmt: skip
    if name in _COST:
        row["cost_usd"] = (row["cost_usd"] or 0.0) + value
    elif name in _REQUESTS:
        row["requests"] += int(value)
    else:
        type_key, columns = _TOKENS[name]
        kind = attrs.get(type_key)
        row["tokens_reported"] = True
        column = columns.get(kind)
        if column is not None:
            row[column] += int(value)
        if name == "gemini_cli.token.usage" and kind == "cache":
            row["input_tokens"] -= int(value)  # Gemini's input count includes the cached tokens
        if name == "gen_ai.client.token.usage" and kind == "input":
            row["requests"] += attrs.get("_count", 0)
    return []
