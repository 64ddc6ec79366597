"""Cursor Admin API exports -> canonical.

- filtered-usage-events (POST /teams/filtered-usage-events): one ai_usage row per request, with
  its tokens; the cost is `chargedCents` (model cost + Cursor's token fee; Cursor says to sum it
  to reconcile with /teams/spend; it also prices events without tokens), else, in older exports,
  `tokenUsage.totalCents`. A request without tokenUsage (e.g. "Included in Business") is a
  tokens_reported=false row. A headless request (`isHeadless`: a background or cloud agent) is
  also counted in ai_activity `background_agent_requests`.
- AI Code Tracking commits (GET /analytics/ai-code/commits, JSON `items` or the `.csv` export):
  per author and commit day, ai_activity `commits`, `ai_lines_added`/`ai_lines_deleted` (tab +
  composer) and `non_ai_lines_added`/`non_ai_lines_deleted`.
- daily-usage-data (POST /teams/daily-usage-data): per person and day, -> ai_activity only
  (lines, accepts, rejects, tabs, chat requests), so it never double-counts the events' requests.
- members (GET /teams/members) and spend (POST /teams/spend) carry no dated usage: read, no rows.
Timestamps are epoch milliseconds (numbers or digit strings).
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_date, parse_timestamp, read_json, to_float, to_int

SOURCE = "cursor"
TOOL = "cursor"
log = logging.getLogger("tokenyield.sources")


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read Cursor Admin API responses into ai_usage and ai_activity."""
    usage, activity = [], []
    for path in ai_rows.expand(paths, (".json", ".csv")):
        if path.suffix.lower() == ".csv":
            activity.extend(commit_rows(commit_csv_items(path), path))
            continue
        document = read_json(path)
        if not isinstance(document, dict):
            raise SourceError("expected a Cursor Admin API response object", path=path)
        if "usageEvents" in document:
            usage.extend(event_rows(document["usageEvents"], path))
            activity.extend(headless_rows(document["usageEvents"], path))
        elif isinstance(document.get("items"), list):
            activity.extend(commit_rows(document["items"], path))
        elif "data" in document:
            activity.extend(daily_rows(document["data"], path))
        elif "teamMembers" in document or "teamMemberSpend" in document:
            log.warning("%s: members and spend hold no dated usage; nothing imported", path)
        else:
            raise SourceError("not a Cursor usage-events, daily-usage or members response", path=path)
    return ai_rows.tables(usage, activity)


def event_rows(events: list[dict], path: Path | None = None) -> list[dict]:
    """ai_usage rows for filtered-usage-events items; shared with the fetcher."""
    rows = []
    for number, event in enumerate(events, start=1):
        where = {"path": path, "row": number}
        at = parse_timestamp(event.get("timestamp"), field="timestamp", **where)
        user = event.get("userEmail")
        if at is None or not user:
            raise SourceError("needs a timestamp and a userEmail", **where)
        tokens = event.get("tokenUsage")
        cents = to_float(event.get("chargedCents"), field="chargedCents", **where)
        if cents is None:  # exports from before chargedCents
            cents = to_float(ai_rows.dig(tokens, "totalCents"), field="tokenUsage.totalCents", **where)
        count = {
            name: to_int(ai_rows.dig(tokens, field), field=f"tokenUsage.{field}", **where)
            for name, field in _TOKENS.items()
        }
        rows.append(
            ai_rows.usage(
                occurred_at=at,
                user=user,
                tool=TOOL,
                model=event.get("model"),
                **count,
                cost_usd=None if cents is None else round(cents / 100, 8),
                tokens_reported=isinstance(tokens, dict),
                event_id=ai_rows.key(SOURCE, event.get("timestamp"), user, event.get("model")),
            )
        )
    return rows


def headless_rows(events: list[dict], path: Path | None = None) -> list[dict]:
    """ai_activity `background_agent_requests`: one per headless (background agent) request."""
    rows = []
    for number, event in enumerate(events, start=1):
        if event.get("isHeadless") is True:
            at = parse_timestamp(event.get("timestamp"), field="timestamp", path=path, row=number)
            if at is not None and event.get("userEmail"):
                rows.append(
                    ai_rows.activity(at.date(), event["userEmail"], TOOL, "background_agent_requests", 1)
                )
    return rows


# ai_activity metric -> the AI Code Tracking commit fields it sums (camelCase; the CSV's are snake_case)
_COMMIT = {
    "ai_lines_added": ("tabLinesAdded", "composerLinesAdded"),
    "ai_lines_deleted": ("tabLinesDeleted", "composerLinesDeleted"),
    "non_ai_lines_added": ("nonAiLinesAdded",),
    "non_ai_lines_deleted": ("nonAiLinesDeleted",),
}


def commit_rows(items: list[dict], path: Path | None = None) -> list[dict]:
    """ai_activity rows for AI Code Tracking commit items; shared with the fetcher."""
    rows = []
    for number, item in enumerate(items, start=1):
        where = {"path": path, "row": number}
        at = parse_timestamp(item.get("commitTs"), field="commitTs", **where)
        user = item.get("userEmail")
        if at is None or not user:
            raise SourceError("needs a commitTs and a userEmail", **where)
        rows.append(ai_rows.activity(at.date(), user, TOOL, "commits", 1))
        for metric, fields in _COMMIT.items():
            value = sum(to_int(item.get(f), field=f, **where) for f in fields)
            rows.append(ai_rows.activity(at.date(), user, TOOL, metric, value))
    return rows


def commit_csv_items(path: Path) -> list[dict]:
    """The rows of /analytics/ai-code/commits.csv, with the JSON items' camelCase names."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "commit_hash" not in (reader.fieldnames or []):
            raise SourceError("not a Cursor AI Code Tracking commits CSV (no commit_hash column)", path=path)
        return [{_camel(k): (v if v != "" else None) for k, v in row.items()} for row in reader]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_TOKENS = {
    "input_tokens": "inputTokens",
    "output_tokens": "outputTokens",
    "cache_read_tokens": "cacheReadTokens",
    "cache_write_tokens": "cacheWriteTokens",
}

# ai_activity metric -> the daily-usage-data fields it sums
_DAILY = {
    "lines_added": ("totalLinesAdded",),
    "lines_removed": ("totalLinesDeleted",),
    "lines_accepted": ("acceptedLinesAdded",),
    "suggestions": ("totalApplies", "totalTabsShown"),
    "acceptances": ("totalAccepts", "totalTabsAccepted"),
    "rejections": ("totalRejects",),
    "chat_requests": ("chatRequests", "composerRequests", "agentRequests", "cmdkUsages"),
}


def daily_rows(days: list[dict], path: Path | None = None) -> list[dict]:
    """ai_activity rows for daily-usage-data items; shared with the fetcher."""
    rows = []
    for number, day in enumerate(days, start=1):
        where = {"path": path, "row": number}
        on = parse_date(day.get("date"), field="date", **where)
        user = day.get("email")
        if on is None or not user:
            raise SourceError("needs a date and an email", **where)
        for metric, fields in _DAILY.items():
            value = sum(to_int(day.get(f), field=f, **where) for f in fields)
            rows.append(ai_rows.activity(on, user, TOOL, metric, value))
    return rows
