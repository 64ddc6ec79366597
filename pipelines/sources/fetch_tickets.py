"""Fetchers for the ticket APIs: Jira issue search and Linear's GraphQL `issues`.

Both ask for the issues updated on or after the `since` day (so a re-fetch picks up tickets
resolved since), and turn items into rows through the importers' code (jira.issue_row,
linear.issue_row), so a fetched ticket equals an imported one.

Jira: JIRA_BASE_URL (https://your-site.atlassian.net), JIRA_EMAIL + JIRA_API_TOKEN (basic
auth); TOKENYIELD_JIRA_JQL narrows the search (e.g. `project in (PAY, WEB)`);
TOKENYIELD_JIRA_SEARCH_PATH is /rest/api/3/search/jql (Cloud, nextPageToken) by default, or
/rest/api/2/search (Server/Data Center, startAt + total).
Linear: LINEAR_API_KEY (a personal API key, sent as is); LINEAR_API_URL overrides
https://api.linear.app.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import jira, linear
from pipelines.sources.errors import SourceError
from pipelines.sources.http import Api, Client, Credentials, CredentialsError, Fetcher, FetchError
from pipelines.sources.output_common import Item, finish

JIRA_API = Api(
    "Jira",
    None,
    "JIRA_BASE_URL",
    Credentials("JIRA_API_TOKEN", scheme="Basic", username_variable="JIRA_EMAIL"),
    headers={"Accept": "application/json"},
)
LINEAR_API = Api(
    "Linear", "https://api.linear.app", "LINEAR_API_URL", Credentials("LINEAR_API_KEY", scheme="")
)
JIRA_FIELDS = "assignee,created,updated,resolutiondate,issuetype,status"
PAGE_SIZE = 100

LINEAR_QUERY = """
query Issues($after: String, $since: DateTimeOrDuration!) {
  issues(first: 100, after: $after, filter: {updatedAt: {gte: $since}}) {
    nodes {
      identifier createdAt updatedAt completedAt
      state { name } assignee { id email } delegate { id name } labels { nodes { name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def fetch_jira(client: Client, since: date, until: date | None = None) -> dict[str, pl.DataFrame]:
    """Every issue updated on or after `since` (and created by `until`, when given)."""
    clauses = [f'updated >= "{since.isoformat()}"']
    if until is not None:
        clauses.append(f'created < "{(until + timedelta(days=1)).isoformat()}"')
    narrow = client.environ.get("TOKENYIELD_JIRA_JQL", "").strip()
    if narrow:
        clauses.insert(0, f"({narrow})")
    jql = " AND ".join(clauses) + " ORDER BY updated ASC"
    path = client.environ.get("TOKENYIELD_JIRA_SEARCH_PATH", "").strip() or "/rest/api/3/search/jql"
    rows = [jira.issue_row(item) for item in _jira_issues(client, path, jql)]
    return {"tickets": finish("tickets", rows, order_by="_updated")}


def _jira_issues(client: Client, path: str, jql: str) -> Iterator[Item]:
    """Follow nextPageToken (Cloud's /search/jql) or startAt + total (the older /search)."""
    params: dict[str, Any] = {"jql": jql, "fields": JIRA_FIELDS, "maxResults": PAGE_SIZE}
    seen: set[str] = set()
    for number in range(1, 100_000):
        page = client.get_json(path, params)
        issues = page.get("issues") if isinstance(page, dict) else None
        if not isinstance(issues, list):
            raise SourceError("expected a search page with an 'issues' array", path=Path(f"GET {path}"))
        where = Path(f"GET {path} page {number}")
        yield from (Item(where, position, obj) for position, obj in enumerate(issues, 1))
        token = page.get("nextPageToken")
        if token:
            if token in seen:
                raise client.failure("the server sent the same nextPageToken twice")
            seen.add(token)
            params = {**params, "nextPageToken": token}
        elif "total" in page and not page.get("isLast"):
            start = int(page.get("startAt", 0)) + len(issues)
            if not issues or start >= int(page["total"]):
                return
            params = {**params, "startAt": start}
        else:
            return
    raise client.failure(f"too many pages at {path}")


def fetch_linear(client: Client, since: date, until: date | None = None) -> dict[str, pl.DataFrame]:
    """Every issue updated on or after `since` (and created by `until`, when given)."""
    rows, after, seen = [], None, set()
    for number in range(1, 100_000):
        try:
            body = client.post_json(
                "/graphql", {"query": LINEAR_QUERY, "variables": {"after": after, "since": str(since)}}
            )
        except FetchError as error:
            # Linear answers a bad key with 400 and a GraphQL error body the client does not show
            if number == 1 and "(400)" in str(error):
                raise CredentialsError(f"{error}: check LINEAR_API_KEY (a personal API key)") from None
            raise
        issues = _linear_issues(client, body)
        where = Path(f"POST /graphql page {number}")
        rows += [
            linear.issue_row(Item(where, i, node)) for i, node in enumerate(issues.get("nodes") or [], 1)
        ]
        info = issues.get("pageInfo") or {}
        after = info.get("endCursor")
        if not info.get("hasNextPage") or not after:
            break
        if after in seen:
            raise client.failure("the server sent the same endCursor twice")
        seen.add(after)
    if until is not None:
        end = until + timedelta(days=1)
        rows = [row for row in rows if row["created_at"].date() < end]
    return {"tickets": finish("tickets", rows, order_by="_updated")}


def _linear_issues(client: Client, body: Any) -> dict[str, Any]:
    """data.issues of a GraphQL answer; GraphQL errors come with HTTP 200 (or 400)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        code = (first.get("extensions") or {}).get("code", "")
        message = client.redact(str(first.get("message", errors[0])))
        if "AUTHENTICATION" in str(code).upper():
            raise CredentialsError(f"Linear refused the credentials ({message}): check LINEAR_API_KEY")
        raise client.failure(f"GraphQL error: {message}")
    issues = ((body or {}).get("data") or {}).get("issues") if isinstance(body, dict) else None
    if not isinstance(issues, dict):
        raise client.failure("expected data.issues in the GraphQL answer")
    return issues


JIRA = Fetcher(JIRA_API, fetch_jira)
LINEAR = Fetcher(LINEAR_API, fetch_linear)
