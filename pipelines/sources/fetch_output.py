"""Fetchers for the code-review APIs: GitHub pull requests and GitLab merge requests.

Both ask for every state and stop at the `since` day by update time, so a re-fetch picks up
PRs that got merged since. Items become rows through the same code as the file importers
(github.pull_row, gitlab.merge_request_row), so a fetched PR equals an imported one.

GitHub also reads, for each merged PR, its commits (agent co-author trailers) and its reviews
(`human_reviewed`): two more requests per merged PR.

GitHub: GITHUB_TOKEN; repositories from TOKENYIELD_GITHUB_REPOS (`owner/name,...`) or every
repository of TOKENYIELD_GITHUB_ORG; GITHUB_API_URL overrides https://api.github.com.
GitLab: GITLAB_TOKEN; projects from TOKENYIELD_GITLAB_PROJECTS (ids or `group/project`, comma
separated) or every project of TOKENYIELD_GITLAB_GROUP; GITLAB_API_URL overrides
https://gitlab.com/api/v4.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl

from pipelines.sources import github, gitlab
from pipelines.sources.errors import SourceError
from pipelines.sources.http import Api, Client, Credentials, Fetcher, day_start
from pipelines.sources.output_common import Item, finish

GITHUB_API = Api(
    "GitHub",
    "https://api.github.com",
    "GITHUB_API_URL",
    Credentials("GITHUB_TOKEN"),
    headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
)
GITLAB_API = Api(
    "GitLab", "https://gitlab.com/api/v4", "GITLAB_API_URL", Credentials("GITLAB_TOKEN", "PRIVATE-TOKEN", "")
)
PAGE_SIZE = 100


def fetch_github(client: Client, since: date, until: date | None = None) -> dict[str, pl.DataFrame]:
    """Every PR updated on or after `since` (and created by `until`, when given)."""
    start, rows = day_start(since), []
    for repo in _listed(client, "TOKENYIELD_GITHUB_REPOS") or _github_org_repos(client):
        url = f"/repos/{repo}/pulls"
        params = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PAGE_SIZE}
        for item in _until_older(_items(client.pages_link(url, params), f"GET {url}"), start):
            rows.append(_with_commits_and_reviews(client, github.pull_row(item, repo)))
    return {"pull_requests": finish("pull_requests", _created_by(rows, until), order_by="_updated")}


def _with_commits_and_reviews(client: Client, row: dict[str, Any]) -> dict[str, Any]:
    """A merged PR's row with the agent its commits name and whether a human approved it."""
    if row["merged_at"] is None:
        return row
    base = f"/repos/{row['repo']}/pulls/{row['number']}"
    commits = _items(client.pages_link(f"{base}/commits", {"per_page": PAGE_SIZE}), f"GET {base}/commits")
    github.with_commits(row, [item.text("commit.message") for item in commits])
    reviews = _items(client.pages_link(f"{base}/reviews", {"per_page": PAGE_SIZE}), f"GET {base}/reviews")
    return github.with_reviews(row, [github.review_of(item) for item in reviews])


def fetch_gitlab(client: Client, since: date, until: date | None = None) -> dict[str, pl.DataFrame]:
    """Every MR updated on or after `since` (and created by `until`, when given)."""
    rows = []
    projects = _listed(client, "TOKENYIELD_GITLAB_PROJECTS") or _gitlab_group_projects(client)
    for project in projects:
        url = f"/projects/{quote(project, safe='')}/merge_requests"
        params = {"state": "all", "updated_after": day_start(since).isoformat(), "order_by": "updated_at"}
        for item in _items(_pages_next_header(client, url, params), f"GET {url}"):
            rows.append(gitlab.merge_request_row(item))
    return {"pull_requests": finish("pull_requests", _created_by(rows, until), order_by="_updated")}


def _listed(client: Client, variable: str) -> list[str]:
    return [part.strip() for part in client.environ.get(variable, "").split(",") if part.strip()]


def _github_org_repos(client: Client) -> list[str]:
    org = client.environ.get("TOKENYIELD_GITHUB_ORG", "").strip()
    if not org:
        raise SourceError("set TOKENYIELD_GITHUB_REPOS (owner/name,...) or TOKENYIELD_GITHUB_ORG")
    pages = client.pages_link(f"/orgs/{quote(org)}/repos", {"per_page": PAGE_SIZE, "type": "all"})
    return [item.text("full_name", required=True) for item in _items(pages, f"GET /orgs/{org}/repos")]


def _gitlab_group_projects(client: Client) -> list[str]:
    group = client.environ.get("TOKENYIELD_GITLAB_GROUP", "").strip()
    if not group:
        raise SourceError(
            "set TOKENYIELD_GITLAB_PROJECTS (ids or group/project,...) or TOKENYIELD_GITLAB_GROUP"
        )
    url = f"/groups/{quote(group, safe='')}/projects"
    pages = _pages_next_header(client, url, {"include_subgroups": "true", "archived": "false"})
    return [item.text("path_with_namespace", required=True) for item in _items(pages, f"GET {url}")]


def _pages_next_header(client: Client, url: str, params: dict[str, Any]) -> Iterator[Any]:
    """GitLab's offset pagination: page/per_page, following the X-Next-Page header
    (empty on the last page)."""
    page, seen = "1", set()
    while page:
        response = client.request("GET", url, params={**params, "page": page, "per_page": PAGE_SIZE})
        try:
            yield response.json()
        except ValueError:
            raise client.failure(f"{url} did not answer JSON") from None
        seen.add(page)
        page = response.headers.get("x-next-page", "").strip()
        if page in seen:
            raise client.failure("the server sent the same next page twice")


def _items(pages: Iterator[Any], where: str) -> Iterator[Item]:
    """Each object of each JSON-array page, located as `where` page N, item M."""
    for number, page in enumerate(pages, start=1):
        if not isinstance(page, list):
            raise SourceError(f"expected a JSON array of items, got {type(page).__name__}", path=Path(where))
        for position, obj in enumerate(page, start=1):
            if not isinstance(obj, dict):
                raise SourceError("expected a JSON object", path=Path(where), row=position)
            yield Item(Path(f"{where} page {number}"), position, obj)


def _until_older(items: Iterator[Item], start: datetime) -> Iterator[Item]:
    """Items sorted newest-updated first, up to the first one updated before `start`."""
    for item in items:
        updated = item.timestamp("updated_at", required=True)
        if updated is not None and updated < start:
            return
        yield item


def _created_by(rows: list[dict[str, Any]], until: date | None) -> list[dict[str, Any]]:
    if until is None:
        return rows
    end = day_start(until) + timedelta(days=1)
    return [row for row in rows if row["created_at"] < end]


GITHUB = Fetcher(GITHUB_API, fetch_github)
GITLAB = Fetcher(GITLAB_API, fetch_gitlab)
