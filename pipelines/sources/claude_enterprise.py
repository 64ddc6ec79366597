"""Claude Enterprise Analytics API (`/v1/organizations/analytics/...`) pages -> canonical.

- user_usage_report (per seat user, `bucket_width=1d`, grouped by model and product) -> ai_usage:
  one row per day, user, product and model. Uncached input, output, cache reads and both
  cache-write durations map to the token columns; `requests` is the report's request count.
- user_cost_report (same grouping) -> the cost of those rows: `amount` is a decimal string in
  cents (fractional cents), summed over token and cost types. Import the cost pages with the
  usage pages of the same days (one `import` or `fetch`): a cost row whose usage row is not in
  the same import becomes a cost-only row (tokens_reported false), so importing the cost pages
  again, apart, would count that spend twice.
- users (List User Activity, one day per request) -> ai_activity: Claude Code sessions, lines,
  commits, PRs, edit-tool accepts and rejects (tool `claude-code`) and chat messages (tool
  `claude-chat`). The page has no date, so a saved page's file name must hold its day
  (`users_2026-03-02.json`).
- summaries hold org-wide counts only: read, nothing imported.
The user is the actor's email (else its user_id). The product becomes the tool: `claude_code`
-> `claude-code`, `chat` -> `claude-chat`, and so on.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_json, to_float, to_int

SOURCE = "claude-enterprise"
log = logging.getLogger("tokenyield.sources")
_DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read saved Analytics API pages into ai_usage and ai_activity."""
    usage: list[tuple[Path | None, int, dict]] = []
    cost: list[tuple[Path | None, int, dict]] = []
    activity: list[dict] = []
    for path in ai_rows.expand(paths, (".json",)):
        document = read_json(path)
        if isinstance(document, dict) and "summaries" in document:
            log.warning("%s: activity summaries are org-wide counts; nothing imported", path)
            continue
        items = document.get("data") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise SourceError("expected an Analytics API page with a 'data' list", path=path)
        numbered = [(path, n, item) for n, item in enumerate(items, start=1)]
        if not items:
            continue
        if "user" in items[0] and "actor" not in items[0]:
            activity.extend(user_activity(items, _day_of(path), path))
        elif "amount" in items[0]:
            cost.extend(numbered)
        elif "actor" in items[0]:
            usage.extend(numbered)
        else:
            raise SourceError("not a user usage, user cost or users page", path=path)
    return ai_rows.tables(usage_rows(usage, cost), activity)


def _day_of(path: Path) -> date:
    match = _DAY_IN_NAME.search(path.name)
    if match is None:
        raise SourceError(
            "a users page carries no date: name the file with its day, e.g. users_2026-03-02.json",
            path=path,
        )
    return date.fromisoformat(match.group(1))


def usage_rows(
    usage: list[tuple[Path | None, int, dict]], cost: list[tuple[Path | None, int, dict]]
) -> list[dict]:
    """ai_usage rows for usage-report and cost-report items; shared with the fetcher."""
    tokens: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    cents: dict[tuple, float] = defaultdict(float)
    for path, row, item in usage:
        where = {"path": path, "row": row}
        key = _key(item, where)
        cache = ai_rows.dig(item, "cache_creation", default={})
        counts = tokens[key]
        counts[0] += to_int(item.get("uncached_input_tokens"), field="uncached_input_tokens", **where)
        counts[1] += to_int(item.get("output_tokens"), field="output_tokens", **where)
        counts[2] += to_int(item.get("cache_read_input_tokens"), field="cache_read_input_tokens", **where)
        counts[3] += sum(to_int(v, field="cache_creation", **where) for v in cache.values())
        counts[4] += to_int(item.get("requests"), field="requests", **where)
    for path, row, item in cost:
        where = {"path": path, "row": row}
        if (item.get("currency") or "USD").upper() != "USD":
            raise SourceError(f"currency {item['currency']!r} is not USD", field="currency", **where)
        cents[_key(item, where)] += to_float(item.get("amount"), field="amount", **where) or 0.0
    rows = []
    for key in list(tokens) + [k for k in cents if k not in tokens]:
        day, user, tool, model = key
        counts = tokens.get(key)
        amount = cents.get(key)
        rows.append(
            ai_rows.usage(
                occurred_at=ai_rows.day_start(day),
                user=user,
                tool=tool,
                model=model,
                input_tokens=counts[0] if counts else 0,
                output_tokens=counts[1] if counts else 0,
                cache_read_tokens=counts[2] if counts else 0,
                cache_write_tokens=counts[3] if counts else 0,
                requests=counts[4] if counts else 0,
                cost_usd=None if amount is None else round(amount / 100, 8),
                tokens_reported=counts is not None,
                event_id=ai_rows.key(SOURCE if counts else f"{SOURCE}-cost", day, user, tool, model),
            )
        )
    return rows


def _key(item: dict, where: dict) -> tuple[date, str, str, str | None]:
    start = parse_timestamp(item.get("starting_at"), field="starting_at", **where)
    if start is None:
        raise SourceError("no starting_at: export the report with bucket_width=1d", **where)
    actor = item.get("actor") or {}
    user = actor.get("email") or actor.get("email_address") or actor.get("user_id")
    if not user:
        raise SourceError("no email or user_id", field="actor", **where)
    product = item.get("product")
    tool = "claude-code" if product == "claude_code" else f"claude-{product}" if product else "claude"
    return start.date(), str(user), tool.replace("_", "-"), item.get("model")


_CODE = {
    "sessions": ("core_metrics", "distinct_session_count"),
    "lines_added": ("core_metrics", "lines_of_code", "added_count"),
    "lines_removed": ("core_metrics", "lines_of_code", "removed_count"),
    "commits": ("core_metrics", "commit_count"),
    "pull_requests": ("core_metrics", "pull_request_count"),
}


def user_activity(items: list[dict], day: date, path: Path | None = None) -> list[dict]:
    """ai_activity rows for one day's users page; shared with the fetcher."""
    rows = []
    for number, item in enumerate(items, start=1):
        where = {"path": path, "row": number}
        user = ai_rows.dig(item, "user", "email_address") or ai_rows.dig(item, "user", "id")
        if not user:
            raise SourceError("no email_address", field="user", **where)
        code = ai_rows.dig(item, "claude_code_metrics", default={})
        for metric, steps in _CODE.items():
            value = to_int(ai_rows.dig(code, *steps), field=".".join(steps), **where)
            rows.append(ai_rows.activity(day, user, "claude-code", metric, value))
        actions = [a for a in ai_rows.dig(code, "tool_actions", default={}).values() if isinstance(a, dict)]
        for metric, field in (("acceptances", "accepted_count"), ("rejections", "rejected_count")):
            value = sum(to_int(a.get(field), field=f"tool_actions.{field}", **where) for a in actions)
            rows.append(ai_rows.activity(day, user, "claude-code", metric, value))
        messages = ai_rows.dig(item, "chat_metrics", "message_count")
        rows.append(ai_rows.activity(day, user, "claude-chat", "chat_requests", to_int(messages, **where)))
    return rows
