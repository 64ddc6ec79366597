"""Fetchers for the IDE assistants' analytics: Windsurf (Enterprise Analytics API) and GitLab Duo
(GraphQL `aiUsageData`). Each is `fetch(client, since, until) -> tables` and reuses its importer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from pipelines.sources import ai_rows, gitlab_duo, windsurf
from pipelines.sources.fetch_ai import days
from pipelines.sources.http import Api, Client, Credentials, Fetcher

WINDSURF = Api(
    "windsurf",
    "https://server.codeium.com",
    "TOKENYIELD_WINDSURF_BASE_URL",
    Credentials("WINDSURF_SERVICE_KEY", in_body="service_key"),  # "Teams Read-only" service key
)
GITLAB_DUO = Api("gitlab-duo", "https://gitlab.com", "GITLAB_URL", Credentials("GITLAB_TOKEN"))


def fetch_windsurf(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """UserPageAnalytics (accounts), each user's CascadeAnalytics, and the team's autocomplete and
    chat Custom Analytics aggregated by api_key and date."""
    span = days(since, until)
    key = client.secret()
    window = {
        "start_timestamp": f"{span[0].isoformat()}T00:00:00Z",
        "end_timestamp": f"{(span[-1] + timedelta(1)).isoformat()}T00:00:00Z",
    }
    users = (
        client.post_json("/api/v1/UserPageAnalytics", {"service_key": key, **window}).get("userTableStats")
        or []
    )
    identities = windsurf.identity_rows(users)
    activity = []
    for user in (u for u in users if u.get("email")):
        body = {
            "service_key": key,
            "emails": [user["email"]],
            **window,
            "query_requests": [{"cascade_lines": {}}, {"cascade_runs": {}}],
        }
        results = client.post_json("/api/v1/CascadeAnalytics", body).get("queryResults") or []
        activity.extend(windsurf.query_rows(results, user["email"]))
    for source, fields in (("USER_DATA", ("num_acceptances", "num_lines_accepted")),
                           ("CHAT_DATA", ("num_chats_received", "chat_loc_used"))):  # fmt: skip
        body = {"service_key": key, "query_requests": [_custom_query(source, fields, span)]}
        results = client.post_json("/api/v1/Analytics", body).get("queryResults") or []
        activity.extend(windsurf.query_rows(results, None))
    return ai_rows.tables(activity_rows=activity, identity_rows=identities)


def _custom_query(source: str, fields: tuple[str, ...], span: list[date]) -> dict[str, Any]:
    return {
        "data_source": f"QUERY_DATA_SOURCE_{source}",
        "selections": [
            {"field": f, "name": f, "aggregation_function": "QUERY_AGGREGATION_SUM"} for f in fields
        ],
        "aggregations": [{"field": "api_key", "name": "api_key"}, {"field": "date", "name": "date"}],
        "filters": [
            {"name": "date", "filter": "QUERY_FILTER_GE", "value": span[0].isoformat()},
            {"name": "date", "filter": "QUERY_FILTER_LE", "value": span[-1].isoformat()},
        ],
    }


_QUERY = """query($fullPath: ID!, $after: String) {
  group(fullPath: $fullPath) { aiUsageData { %s(startDate: "%s", endDate: "%s", after: $after) {
    nodes { event timestamp %s user { username } }
    pageInfo { hasNextPage endCursor }
  } } }
}"""
# codeSuggestionEvents carries suggestionSize; `all` adds chat and agent events (code suggestions
# it repeats count once, see gitlab_duo.event_rows)
_CONNECTIONS = {"codeSuggestionEvents": "suggestionSize", "all": ""}
MAX_DAYS = 30  # aiUsageData answers at most a month per query


def fetch_gitlab_duo(client: Client, since: date, until: date | None) -> dict[str, pl.DataFrame]:
    """POST /api/graphql for TOKENYIELD_GITLAB_GROUP's AI usage events, a month at a time."""
    group = client.setting("TOKENYIELD_GITLAB_GROUP")
    span = days(since, until)
    events: list[tuple[None, int, dict]] = []
    for first in range(0, len(span), MAX_DAYS):
        window = span[first : first + MAX_DAYS]
        for connection, extra in _CONNECTIONS.items():
            query = _QUERY % (connection, window[0].isoformat(), window[-1].isoformat(), extra)
            for node in _nodes(client, query, group, connection):
                events.append((None, len(events) + 1, node))
    return ai_rows.tables(activity_rows=gitlab_duo.event_rows(events))


def _nodes(client: Client, query: str, group: str, connection: str) -> list[dict]:
    nodes: list[dict] = []
    after, seen = None, set()
    while True:
        answer = client.post_json(
            "/api/graphql", {"query": query, "variables": {"fullPath": group, "after": after}}
        )
        if answer.get("errors"):
            raise client.failure(f"GraphQL: {answer['errors'][0].get('message', answer['errors'][0])}")
        page = ai_rows.dig(answer, "data", "group", "aiUsageData", connection, default=None)
        if page is None:
            raise client.failure(
                f"no aiUsageData for group {group!r} (GitLab Duo enabled, token has read_api?)"
            )
        nodes.extend(page.get("nodes") or [])
        after = ai_rows.dig(page, "pageInfo", "endCursor")
        if not ai_rows.dig(page, "pageInfo", "hasNextPage", default=False) or not after:
            return nodes
        if after in seen:
            raise client.failure("the server sent the same next page twice")
        seen.add(after)


FETCHERS: dict[str, Fetcher] = {
    "windsurf": Fetcher(WINDSURF, fetch_windsurf),
    "gitlab-duo": Fetcher(GITLAB_DUO, fetch_gitlab_duo),
}
