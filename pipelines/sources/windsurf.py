"""Windsurf (ex-Codeium) Enterprise Analytics API responses -> canonical.

- UserPageAnalytics (`userTableStats`) -> identities: each user's `apiKey` is their account in
  system `windsurf`. Its activeDays and promptCreditsUsed cover a whole billing cycle, not a day:
  not imported as activity.
- CascadeAnalytics (`queryResults[].cascadeLines` / `cascadeRuns`) -> ai_activity per day:
  lines suggested and accepted, chat_requests (messages sent), and `credits` = `promptsUsed` / 100
  (the API counts prompt credits in hundredths; kept as credits, never turned into tokens). The
  response names no user (the request filtered by `emails`), so import it with `--person EMAIL`.
- Custom Analytics (`queryResults[].responseItems`) rows aggregated by `date` (and `api_key`):
  autocomplete acceptances and accepted lines, chat lines used and chats. The user is the row's
  api_key, else `--person`. Rows without a date (team totals, percent-code-written) are skipped.
Numbers inside queryResults are strings ("206").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_date, read_json, to_float, to_int

TOOL = "windsurf"
log = logging.getLogger("tokenyield.sources")


def parse(paths: list[Path], person: str | None = None, **_: Any) -> dict[str, pl.DataFrame]:
    """Read Windsurf Analytics API responses into ai_activity and identities."""
    activity, identities = [], []
    for path in ai_rows.expand(paths, (".json",)):
        document = read_json(path)
        if isinstance(document, dict) and "userTableStats" in document:
            identities.extend(identity_rows(document["userTableStats"], path))
        elif isinstance(document, dict) and isinstance(document.get("queryResults"), list):
            activity.extend(query_rows(document["queryResults"], person, path))
        else:
            raise SourceError(
                "not a Windsurf UserPageAnalytics, CascadeAnalytics or Analytics response", path=path
            )
    return ai_rows.tables(activity_rows=activity, identity_rows=identities)


def identity_rows(users: list[dict], path: Path | None = None) -> list[dict]:
    """identities rows (email -> apiKey) for userTableStats; shared with the fetcher. A user
    without both (an invitation not yet accepted) has no account to map and is left out."""
    rows = [
        {"person_id": user["email"], "system": "windsurf", "external_id": user["apiKey"]}
        for user in users
        if user.get("email") and user.get("apiKey")
    ]
    if len(rows) < len(users):
        log.warning(
            "%s: %d users have no email or apiKey; not mapped", path or "windsurf", len(users) - len(rows)
        )
    return rows


# Custom Analytics selection (as returned, with or without the aggregation's "sum_" prefix) -> metric
_CUSTOM = {
    "num_acceptances": "acceptances",
    "num_lines_accepted": "lines_accepted",
    "chat_loc_used": "lines_accepted",
    "num_chats_received": "chat_requests",
}


def query_rows(results: list[dict], person: str | None, path: Path | None = None) -> list[dict]:
    """ai_activity rows for the queryResults of one CascadeAnalytics or Analytics response."""
    rows = []
    for result in results:
        lines = ai_rows.dig(result, "cascadeLines", "cascadeLines", default=[])
        runs = ai_rows.dig(result, "cascadeRuns", "cascadeRuns", default=[])
        if (lines or runs) and not person:
            raise SourceError(
                "a CascadeAnalytics response names no user: import it with --person EMAIL", path=path
            )
        for number, item in enumerate(lines, start=1):
            where = {"path": path, "row": number}
            day = _day(item.get("day"), "day", where)
            for metric, field in (("lines_suggested", "linesSuggested"), ("lines_accepted", "linesAccepted")):
                rows.append(
                    ai_rows.activity(day, person, TOOL, metric, to_int(item.get(field), field=field, **where))
                )
        for number, item in enumerate(runs, start=1):
            where = {"path": path, "row": number}
            day = _day(item.get("day"), "day", where)
            sent = to_int(item.get("messagesSent"), field="messagesSent", **where)
            credits = (to_float(item.get("promptsUsed"), field="promptsUsed", **where) or 0.0) / 100
            rows.append(ai_rows.activity(day, person, TOOL, "chat_requests", sent))
            rows.append(ai_rows.activity(day, person, TOOL, "credits", credits))
        rows.extend(_custom_rows(result.get("responseItems") or [], person, path))
    return rows


def _custom_rows(items: list[dict], person: str | None, path: Path | None) -> list[dict]:
    rows, skipped = [], 0
    for number, wrapper in enumerate(items, start=1):
        where = {"path": path, "row": number}
        item = wrapper.get("item") or {}
        user = item.get("api_key") or person
        if not item.get("date") or not user:
            skipped += 1
            continue
        day = _day(item["date"], "date", where)
        for field, value in item.items():
            metric = _CUSTOM.get(field.removeprefix("sum_"))
            if metric:
                rows.append(ai_rows.activity(day, user, TOOL, metric, to_int(value, field=field, **where)))
    if skipped:
        log.warning("%s: %d Analytics rows have no date or user (team totals); not imported", path, skipped)
    return rows


def _day(value: Any, field: str, where: dict) -> Any:
    day = parse_date(value, field=field, **where)
    if day is None:
        raise SourceError("missing", field=field, **where)
    return day
