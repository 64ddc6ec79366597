"""Fetchers for the AI-usage APIs: each calls its API for [since, until] and reuses its importer.

Every fetcher is `fetch(client, since, until) -> tables`; `FETCHERS` pairs each with its Api
(base URL, credential variable, fixed headers). Days are UTC; `until` defaults to today and is
inclusive.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl

from pipelines.sources import (
    ai_rows,
    anthropic_claude_code,
    anthropic_messages,
    copilot,
    cursor,
    openai,
)
from pipelines.sources.http import Api, Client, Credentials, Fetcher
from pipelines.sources.readers import read_ndjson_text

ANTHROPIC_HEADERS = {"anthropic-version": "2023-06-01"}
ANTHROPIC = Api(
    "anthropic",
    "https://api.anthropic.com",
    "TOKENYIELD_ANTHROPIC_BASE_URL",
    Credentials("ANTHROPIC_ADMIN_API_KEY", header="x-api-key", scheme=""),
    ANTHROPIC_HEADERS,
)
OPENAI = Api(
    "openai", "https://api.openai.com", "TOKENYIELD_OPENAI_BASE_URL", Credentials("OPENAI_ADMIN_KEY")
)
COPILOT = Api(
    "github-copilot",
    "https://api.github.com",
    "TOKENYIELD_COPILOT_BASE_URL",
    Credentials("GITHUB_COPILOT_TOKEN"),
    {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
)
CURSOR = Api(
    "cursor",
    "https://api.cursor.com",
    "TOKENYIELD_CURSOR_BASE_URL",
    Credentials("CURSOR_ADMIN_API_KEY", scheme="Basic"),
)


def days(since: date, until: date | None) -> list[date]:
    """Every day from `since` to `until` (default today, UTC), inclusive."""
    last = until or datetime.now(UTC).date()
    return [since + timedelta(n) for n in range((last - since).days + 1)]


def fetch_claude_code(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """GET /v1/organizations/usage_report/claude_code, one day per request, cursor pages."""
    records = []
    for day in days(since, until):
        params = {"starting_at": day.isoformat(), "limit": 1000}
        for page in client.pages_cursor("/v1/organizations/usage_report/claude_code", params):
            records.extend((None, n, item) for n, item in enumerate(page.get("data") or [], start=1))
    return anthropic_claude_code.from_records(records)


def fetch_messages(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """GET /v1/organizations/usage_report/messages in daily buckets by API key, account and model
    (Console usage has no API key; it is attributed to its account)."""
    span = days(since, until)
    params = {
        "starting_at": f"{span[0].isoformat()}T00:00:00Z",
        "ending_at": f"{(span[-1] + timedelta(1)).isoformat()}T00:00:00Z",
        "bucket_width": "1d",
        "group_by[]": ["api_key_id", "account_id", "model"],
        "limit": 31,
    }
    rows = []
    for page in client.pages_cursor("/v1/organizations/usage_report/messages", params):
        rows.extend(anthropic_messages.from_buckets(page.get("data") or []))
    return ai_rows.tables(rows)


def fetch_openai(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """GET /v1/organization/usage/completions by user and model, and the users list."""
    span = days(since, until)
    start = int(datetime(span[0].year, span[0].month, span[0].day, tzinfo=UTC).timestamp())
    params = {
        "start_time": start,
        "end_time": start + 86400 * len(span),
        "bucket_width": "1d",
        "group_by": ["user_id", "model"],
        "limit": 31,
    }
    buckets = []
    for page in client.pages_cursor("/v1/organization/usage/completions", params):
        buckets.extend((None, n, b) for n, b in enumerate(page.get("data") or [], start=1))
    users = []
    pages = client.pages_cursor(
        "/v1/organization/users", {"limit": 100}, cursor_param="after", cursor_field="last_id"
    )
    for page in pages:
        users.extend(page.get("data") or [])
    return openai.from_pages(buckets, users)


def fetch_copilot(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """The usage-metrics users 1-day report of each day: its download links, then the NDJSON."""
    org = client.setting("TOKENYIELD_COPILOT_ORG")
    records = []
    for day in days(since, until):
        links = client.get_json(f"/orgs/{org}/copilot/metrics/reports/users-1-day", {"day": day.isoformat()})
        for link in links.get("download_links") or []:
            text = client.download(link).decode("utf-8")
            records.extend(read_ndjson_text(text, link.split("?", 1)[0]))  # the query is a signature
    return copilot.user_records(records, None)


def fetch_cursor(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """POST /teams/daily-usage-data (30-day windows) and /teams/filtered-usage-events (pages)."""
    span = days(since, until)
    usage, activity = [], []
    for first in range(0, len(span), 30):
        window = span[first : first + 30]
        body = {"startDate": _ms(window[0]), "endDate": _ms(window[-1] + timedelta(1)) - 1}
        activity.extend(
            cursor.daily_rows(client.post_json("/teams/daily-usage-data", body).get("data") or [])
        )
        pages = client.pages_numbered(
            "/teams/filtered-usage-events",
            items=lambda page: page.get("usageEvents") or [],
            has_next=lambda page: bool(ai_rows.dig(page, "pagination", "hasNextPage")),
            size_param="pageSize",
            size=100,
            method="POST",
            body=body,
            in_body=True,
        )
        for page in pages:
            usage.extend(cursor.event_rows(page.get("usageEvents") or []))
            activity.extend(cursor.headless_rows(page.get("usageEvents") or []))
        if client.environ.get("TOKENYIELD_CURSOR_AI_CODE", "").strip().lower() in ("1", "true", "yes"):
            dates = {"startDate": window[0].isoformat(), "endDate": window[-1].isoformat()}
            activity.extend(_cursor_ai_code_commits(client, dates))
    return ai_rows.tables(usage, activity)


def _cursor_ai_code_commits(client: Client, window: dict[str, str]) -> list[dict]:
    """GET /analytics/ai-code/commits (AI Code Tracking API, Enterprise teams): numbered pages
    until `page * pageSize` reaches `totalCount`."""
    rows: list[dict] = []
    pages = client.pages_numbered(
        "/analytics/ai-code/commits",
        window,
        items=lambda page: page.get("items") or [],
        has_next=lambda page: page.get("page", 0) * page.get("pageSize", 0) < page.get("totalCount", 0),
        size_param="pageSize",
        size=100,
    )
    for page in pages:
        rows.extend(cursor.commit_rows(page.get("items") or []))
    return rows


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


FETCHERS: dict[str, Fetcher] = {
    "anthropic-claude-code": Fetcher(ANTHROPIC, fetch_claude_code),
    "anthropic-messages": Fetcher(ANTHROPIC, fetch_messages),
    "openai": Fetcher(OPENAI, fetch_openai),
    "copilot": Fetcher(COPILOT, fetch_copilot),
    "cursor": Fetcher(CURSOR, fetch_cursor),
}
