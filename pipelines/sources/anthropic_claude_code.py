"""Claude Code Analytics Admin API (GET /v1/organizations/usage_report/claude_code) -> canonical.

One API record is one actor's day: tokens and an estimated cost per model (-> ai_usage, one row
per day, actor and model), and productivity signals (-> ai_activity: sessions, lines added and
removed, commits, pull requests, and the edit tools' accepts and rejects). The actor is a user
(email) or an API key (its name). `estimated_cost.amount` is in cents (minor currency units).
Reads saved API pages (`{"data": [...]}`), a bare list of records, or NDJSON of records.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_json, read_ndjson, to_float, to_int

SOURCE = "anthropic-claude-code"
TOOL = "claude-code"


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read Claude Code usage report pages into ai_usage and ai_activity."""
    records: list[tuple[Path, int, dict]] = []
    for path in ai_rows.expand(paths, (".json", ".jsonl", ".ndjson")):
        records.extend(_records(path))
    return from_records(records)


def from_records(records: list[tuple[Path | None, int, dict]]) -> dict[str, pl.DataFrame]:
    """Tables for (file, row, API record) triples; shared with the fetcher (file None)."""
    tokens: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    cents: dict[tuple, float | None] = {}
    activity = []
    for path, row, record in records:
        where = {"path": path, "row": row}
        day = parse_timestamp(ai_rows.dig(record, "date"), field="date", **where)
        if day is None:
            raise SourceError("missing", field="date", **where)
        user = _actor(record, where)
        for item in ai_rows.dig(record, "model_breakdown", default=[]):
            key = (day, user, item.get("model"))
            counts = ai_rows.dig(item, "tokens", default={})
            for i, name in enumerate(("input", "output", "cache_read", "cache_creation")):
                tokens[key][i] += to_int(counts.get(name), field=f"tokens.{name}", **where)
            amount = to_float(ai_rows.dig(item, "estimated_cost", "amount"), field="estimated_cost", **where)
            if amount is not None:
                cents[key] = (cents.get(key) or 0.0) + amount
        activity.extend(_activity(record, day.date(), user, where))
    usage = []
    for (day, user, model), counts in tokens.items():
        amount = cents.get((day, user, model))
        usage.append(
            ai_rows.usage(
                occurred_at=day,
                user=user,
                tool=TOOL,
                model=model,
                input_tokens=counts[0],
                output_tokens=counts[1],
                cache_read_tokens=counts[2],
                cache_write_tokens=counts[3],
                cost_usd=None if amount is None else round(amount / 100, 6),
                event_id=ai_rows.key(SOURCE, day.date(), user, model),
                requests=0,  # the report counts sessions, not requests
            )
        )
    return ai_rows.tables(usage, activity)


def _records(path: Path) -> list[tuple[Path, int, dict]]:
    if path.suffix in (".jsonl", ".ndjson"):
        return [(path, n, item) for n, item in read_ndjson(path)]
    document = read_json(path)
    items = document.get("data") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise SourceError("expected a usage report page with a 'data' list", path=path)
    return [(path, n, item) for n, item in enumerate(items, start=1)]


def _actor(record: dict, where: dict) -> str:
    actor = ai_rows.dig(record, "actor", default={})
    user = actor.get("email_address") or actor.get("api_key_name")
    if not user:
        raise SourceError("no email_address or api_key_name", field="actor", **where)
    return str(user)


_CORE = {
    "sessions": ("num_sessions",),
    "lines_added": ("lines_of_code", "added"),
    "lines_removed": ("lines_of_code", "removed"),
    "commits": ("commits_by_claude_code",),
    "pull_requests": ("pull_requests_by_claude_code",),
}


def _activity(record: dict, day: date, user: str, where: dict) -> list[dict]:
    core = ai_rows.dig(record, "core_metrics", default={})
    rows = [
        ai_rows.activity(day, user, TOOL, metric, to_int(ai_rows.dig(core, *path), field=path[-1], **where))
        for metric, path in _CORE.items()
    ]
    actions = ai_rows.dig(record, "tool_actions", default={}).values()
    accepted = sum(to_int(a.get("accepted"), field="tool_actions", **where) for a in actions)
    rejected = sum(to_int(a.get("rejected"), field="tool_actions", **where) for a in actions)
    rows.append(ai_rows.activity(day, user, TOOL, "acceptances", accepted))
    rows.append(ai_rows.activity(day, user, TOOL, "rejections", rejected))
    return rows
