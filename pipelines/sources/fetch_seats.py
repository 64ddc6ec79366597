"""Fetchers for the seat-based analytics APIs: Claude Enterprise, Codex enterprise and Devin.

Each is `fetch(client, since, until) -> tables` (days UTC, `until` inclusive, default today) and
reuses its importer's row builders, so a fetched day and an imported page give the same rows.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import polars as pl

from pipelines.sources import ai_rows, claude_enterprise, codex, devin
from pipelines.sources.fetch_ai import ANTHROPIC_HEADERS, days
from pipelines.sources.http import Api, Client, Credentials, Fetcher

log = logging.getLogger("tokenyield.sources")

CLAUDE_ENTERPRISE = Api(
    "claude-enterprise",
    "https://api.anthropic.com",
    "TOKENYIELD_CLAUDE_ENTERPRISE_BASE_URL",
    Credentials("ANTHROPIC_ANALYTICS_API_KEY", header="x-api-key", scheme=""),  # scope read:analytics
    ANTHROPIC_HEADERS,
)
CODEX = Api(
    "codex", "https://api.chatgpt.com", "TOKENYIELD_CODEX_BASE_URL", Credentials("OPENAI_CODEX_ANALYTICS_KEY")
)
DEVIN = Api("devin", "https://api.devin.ai", "TOKENYIELD_DEVIN_BASE_URL", Credentials("DEVIN_API_KEY"))

# Claude Enterprise's per-user activity of day N is ready on day N+4 (aggregated at 10:00 UTC on
# N+1, queryable three days later); asking sooner is a 400.
USERS_DELAY = timedelta(days=4)


def fetch_claude_enterprise(
    client: Client, since: date, until: date | None, today: date | None = None
) -> dict[str, pl.DataFrame]:
    """user_usage_report and user_cost_report in daily buckets by model and product, then the
    users list of each day that is ready."""
    span = days(since, until)
    window = {
        "starting_at": f"{span[0].isoformat()}T00:00:00Z",
        "ending_at": f"{(span[-1] + timedelta(1)).isoformat()}T00:00:00Z",
        "bucket_width": "1d",
        "group_by[]": ["model", "product"],
        "limit": 1000,
    }
    reports = {}
    for report in ("user_usage_report", "user_cost_report"):
        items: list = []
        for page in client.pages_cursor(f"/v1/organizations/analytics/{report}", window, has_more_field=None):
            items.extend((None, n, item) for n, item in enumerate(page.get("data") or [], start=1))
        reports[report] = items
    ready = (today or datetime.now(UTC).date()) - USERS_DELAY
    if span[-1] > ready:
        log.warning(
            "claude-enterprise: per-user activity after %s is not ready yet; fetch those days later", ready
        )
    activity = []
    for day in (d for d in span if d <= ready):
        params = {"date": day.isoformat(), "limit": 1000}
        for page in client.pages_cursor("/v1/organizations/analytics/users", params, has_more_field=None):
            activity.extend(claude_enterprise.user_activity(page.get("data") or [], day))
    usage = claude_enterprise.usage_rows(reports["user_usage_report"], reports["user_cost_report"])
    return ai_rows.tables(usage, activity)


def fetch_codex(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """GET /v1/analytics/codex/workspaces/{TOKENYIELD_CODEX_WORKSPACE_ID}/usage per user and day."""
    workspace = client.setting("TOKENYIELD_CODEX_WORKSPACE_ID")
    span = days(since, until)
    start = int(ai_rows.day_start(span[0]).timestamp())
    params = {"start_time": start, "end_time": start + 86400 * len(span), "group_by": "day", "limit": 100}
    usage, activity = [], []
    for page in client.pages_cursor(f"/v1/analytics/codex/workspaces/{workspace}/usage", params):
        rows = codex.user_rows(page.get("data") or [])
        usage.extend(rows[0])
        activity.extend(rows[1])
    return ai_rows.tables(usage, activity)


def fetch_devin(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """The enterprise's users with consumption in the window, then each user's ACUs per day.
    Devin's days start at 08:00 UTC (midnight Pacific), so the window is asked on that boundary."""
    span = days(since, until)
    window = {
        "start_date": f"{span[0].isoformat()}T08:00:00Z",
        "end_date": f"{(span[-1] + timedelta(1)).isoformat()}T08:00:00Z",
    }
    totals = client.get_json("/v2/enterprise/consumption/daily", window)
    activity = []
    for user_id in sorted(totals.get("consumption_by_user") or {}):
        series = client.get_json(f"/v2/enterprise/consumption/daily/{user_id}", window)
        activity.extend(devin.daily_rows(series.get("consumption_by_date") or {}, user_id))
    return ai_rows.tables(activity_rows=activity)


FETCHERS: dict[str, Fetcher] = {
    "claude-enterprise": Fetcher(CLAUDE_ENTERPRISE, fetch_claude_enterprise),
    "codex": Fetcher(CODEX, fetch_codex),
    "devin": Fetcher(DEVIN, fetch_devin),
}
