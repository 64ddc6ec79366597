"""OpenAI Codex enterprise analytics (GET /v1/analytics/codex/workspaces/{id}/usage) -> canonical.

One per-user row of the usage report (`group_by=day`) is one user's day:
- ai_usage: one row per user and day with the day's tokens from `totals` (uncached input,
  cached input as cache reads, output), `requests` = turns, and `estimated_cost_usd` as the cost
  (Codex on a ChatGPT seat bills credits, and `cost_usd` is 0 then). The tokens are not split by
  model: the model is the day's only model, or "unknown" when the user used several.
- ai_activity: `credits` (Codex credits, kept in their own unit, never turned into tokens),
  `sessions` = threads, `chat_requests` = turns, `lines_added` / `lines_removed` from
  `code_attribution`.
The user is `actor.email`, or the `user_id` when the workspace hides emails (map it in
identities, system `codex`). Code-review pages are workspace totals: read, nothing imported.
Times are Unix seconds (UTC).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_json, to_float, to_int

SOURCE = "codex"
TOOL = "codex"
log = logging.getLogger("tokenyield.sources")


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read saved Codex analytics usage pages into ai_usage and ai_activity."""
    usage, activity = [], []
    for path in ai_rows.expand(paths, (".json",)):
        document = read_json(path)
        items = document.get("data") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise SourceError("expected a Codex analytics page with a 'data' list", path=path)
        if items and "user_id" not in items[0] and "actor" not in items[0]:
            log.warning("%s: workspace totals (no user) hold no per-person usage; nothing imported", path)
            continue
        rows = user_rows(items, path)
        usage.extend(rows[0])
        activity.extend(rows[1])
    return ai_rows.tables(usage, activity)


_TOKENS = {
    "input_tokens": "uncached_text_input_tokens",
    "cache_read_tokens": "cached_text_input_tokens",
    "output_tokens": "text_output_tokens",
}


def user_rows(items: list[dict], path: Path | None = None) -> tuple[list[dict], list[dict]]:
    """(ai_usage rows, ai_activity rows) for per-user usage items; shared with the fetcher."""
    usage, activity = [], []
    for number, item in enumerate(items, start=1):
        where = {"path": path, "row": number}
        start = parse_timestamp(item.get("start_time"), field="start_time", **where)
        user = (
            ai_rows.dig(item, "actor", "email")
            or item.get("user_id")
            or ai_rows.dig(item, "actor", "user_id")
        )
        if start is None or not user:
            raise SourceError("needs a start_time and a user_id", **where)
        day = start.date()
        totals = item.get("totals") or {}
        counts = {name: to_int(totals.get(f), field=f"totals.{f}", **where) for name, f in _TOKENS.items()}
        models = {m.get("model") for m in item.get("models") or [] if m.get("model")}
        turns = to_int(totals.get("turns"), field="totals.turns", **where)
        usage.append(
            ai_rows.usage(
                occurred_at=ai_rows.day_start(day),
                user=user,
                tool=TOOL,
                model=models.pop() if len(models) == 1 else None,
                **counts,
                requests=turns,
                cost_usd=to_float(
                    totals.get("estimated_cost_usd"), field="totals.estimated_cost_usd", **where
                ),
                tokens_reported=any(f in totals for f in _TOKENS.values()),
                event_id=ai_rows.key(SOURCE, day, item.get("user_id") or user),
            )
        )
        lines = item.get("code_attribution") or {}
        values = {
            "credits": to_float(totals.get("credits"), field="totals.credits", **where),
            "sessions": to_int(totals.get("threads"), field="totals.threads", **where),
            "chat_requests": turns,
            "lines_added": to_int(lines.get("lines_added"), field="code_attribution.lines_added", **where),
            "lines_removed": to_int(
                lines.get("lines_removed"), field="code_attribution.lines_removed", **where
            ),
        }
        activity.extend(ai_rows.activity(day, user, TOOL, metric, v) for metric, v in values.items())
    return usage, activity
