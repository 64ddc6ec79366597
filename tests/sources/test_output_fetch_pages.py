"""Each output fetcher follows its API's pagination on a real 127.0.0.1 server serving the real
sample items as recorded pages, and gives the same rows as importing those items from a file."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources import github, gitlab, jira, linear
from pipelines.sources.errors import SourceError
from pipelines.sources.fetch_output import GITHUB, GITLAB
from pipelines.sources.fetch_tickets import JIRA, LINEAR
from tests.sources.conftest import serve_github_details

SECRET = "tok-SECRET-51d0"
PULLS = "github_prs/devlake/DERIVED_pulls_items.json"
MRS = "gitlab/devlake/DERIVED_merge_requests_items.json"
ISSUES = "jira/devlake/DERIVED_issues_items.json"


def items(samples, name: str) -> list[dict]:
    return json.loads((samples / name).read_text(encoding="utf-8"))


def github_pages(local_server, samples) -> list[dict]:
    newest_first = sorted(items(samples, PULLS), key=lambda pr: pr["updated_at"], reverse=True)
    next_link = (
        "<{base}/repos/panjf2000/ants/pulls?state=all&sort=updated&direction=desc&per_page=100&page=2>"
    )
    local_server.add(
        "GET",
        "/repos/panjf2000/ants/pulls",
        json=newest_first[:30],
        headers={"Link": next_link + '; rel="next"'},
    )
    local_server.add("GET", "/repos/panjf2000/ants/pulls", query={"page": "2"}, json=newest_first[30:])
    serve_github_details(local_server, "panjf2000/ants", newest_first)
    return newest_first


def listed(local_server, path: str = "/repos/panjf2000/ants/pulls") -> list:
    """The requests for the PR list itself (not each merged PR's commits and reviews)."""
    return [r for r in local_server.requests if r.path == path]


def github_env(local_server, **extra):
    return {"GITHUB_API_URL": local_server.url, "GITHUB_TOKEN": SECRET, **extra}


def test_github_follows_link_headers_through_every_page(local_server, samples, sleeps):
    github_pages(local_server, samples)

    tables = GITHUB(
        date(2000, 1, 1), environ=github_env(local_server, TOKENYIELD_GITHUB_REPOS="panjf2000/ants")
    )

    imported = github.parse([samples / PULLS])["pull_requests"]
    # the fetcher also reads each merged PR's reviews: none here, so no human approved them
    reviewed = pl.when(pl.col("merged_at").is_not_null()).then(False).alias("human_reviewed")
    assert_frame_equal(tables["pull_requests"], imported.with_columns(reviewed))
    first, second = listed(local_server)
    assert first.query == {"state": "all", "sort": "updated", "direction": "desc", "per_page": "100"}
    assert second.query["page"] == "2" and first.headers["authorization"] == f"Bearer {SECRET}"


def test_github_stops_at_the_first_pr_updated_before_since(local_server, samples):
    newest_first = github_pages(local_server, samples)
    since = date.fromisoformat(newest_first[10]["updated_at"][:10])
    wanted = {pr["number"] for pr in newest_first if pr["updated_at"] >= since.isoformat()}

    tables = GITHUB(since, environ=github_env(local_server, TOKENYIELD_GITHUB_REPOS="panjf2000/ants"))

    assert set(tables["pull_requests"]["number"]) == wanted and 10 < len(wanted) < 30
    assert len(listed(local_server)) == 1  # page 2 holds only older PRs: never asked for


def test_github_lists_an_organizations_repositories(local_server, samples):
    local_server.add("GET", "/orgs/panjf2000/repos", json=[{"full_name": "panjf2000/ants"}])
    github_pages(local_server, samples)

    tables = GITHUB(
        date(2000, 1, 1),
        until=date(2019, 12, 31),
        environ=github_env(local_server, TOKENYIELD_GITHUB_ORG="panjf2000"),
    )

    assert tables["pull_requests"]["created_at"].max() < datetime.fromisoformat("2020-01-01T00:00:00+00:00")
    assert tables["pull_requests"].height == 20  # PRs #4..#66, created in 2018 and 2019


def test_github_needs_repositories_or_an_organization(local_server):
    with pytest.raises(SourceError, match=r"set TOKENYIELD_GITHUB_REPOS .* or TOKENYIELD_GITHUB_ORG"):
        GITHUB(date(2000, 1, 1), environ=github_env(local_server))


def test_gitlab_follows_x_next_page(local_server, samples):
    merge_requests = items(samples, MRS)
    path = "/api/v4/projects/gitlab-data%2Fsnowflake_spend/merge_requests"
    local_server.add(
        "GET",
        "/api/v4/groups/gitlab-data/projects",
        json=[{"path_with_namespace": "gitlab-data/snowflake_spend"}],
    )
    local_server.add("GET", path, query={"page": "1"}, json=merge_requests[:10], headers={"X-Next-Page": "2"})
    local_server.add("GET", path, query={"page": "2"}, json=merge_requests[10:], headers={"X-Next-Page": ""})
    environ = {
        "GITLAB_API_URL": f"{local_server.url}/api/v4",
        "GITLAB_TOKEN": SECRET,
        "TOKENYIELD_GITLAB_GROUP": "gitlab-data",
    }

    tables = GITLAB(date(2019, 1, 1), environ=environ)

    assert_frame_equal(tables["pull_requests"], gitlab.parse([samples / MRS])["pull_requests"])
    pages = [r for r in local_server.requests if r.path == path]
    assert [r.query["page"] for r in pages] == ["1", "2"]
    assert pages[0].query["state"] == "all" and pages[0].query["updated_after"] == "2019-01-01T00:00:00+00:00"
    assert pages[0].headers["private-token"] == SECRET


def jira_env(local_server, **extra):
    return {"JIRA_BASE_URL": local_server.url, "JIRA_EMAIL": "bot@acme.io", "JIRA_API_TOKEN": SECRET, **extra}


def test_jira_cloud_follows_next_page_token(local_server, samples):
    issues = items(samples, ISSUES)
    path = "/rest/api/3/search/jql"
    local_server.add("GET", path, json={"issues": issues[:20], "nextPageToken": "CAEaAggD", "isLast": False})
    local_server.add(
        "GET", path, query={"nextPageToken": "CAEaAggD"}, json={"issues": issues[20:], "isLast": True}
    )

    tables = JIRA(date(2020, 6, 1), environ=jira_env(local_server, TOKENYIELD_JIRA_JQL="project in (EE, K5)"))

    assert_frame_equal(tables["tickets"], jira.parse([samples / ISSUES])["tickets"])
    first, second = local_server.requests
    assert first.query["jql"] == '(project in (EE, K5)) AND updated >= "2020-06-01" ORDER BY updated ASC'
    assert (
        first.headers["authorization"]
        == "Basic " + base64.b64encode(f"bot@acme.io:{SECRET}".encode()).decode()
    )
    assert second.query["nextPageToken"] == "CAEaAggD"


def test_jira_server_follows_start_at_and_total(local_server, samples):
    issues = items(samples, ISSUES)
    path = "/rest/api/2/search"
    local_server.add("GET", path, json={"startAt": 0, "maxResults": 20, "total": 33, "issues": issues[:20]})
    local_server.add(
        "GET",
        path,
        query={"startAt": "20"},
        json={"startAt": 20, "maxResults": 20, "total": 33, "issues": issues[20:]},
    )

    tables = JIRA(date(2020, 6, 1), environ=jira_env(local_server, TOKENYIELD_JIRA_SEARCH_PATH=path))

    assert tables["tickets"].height == 33 and len(local_server.requests) == 2


def linear_page(nodes: list[dict], cursor: str | None) -> dict:
    return {
        "data": {
            "issues": {"nodes": nodes, "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor}}
        }
    }


def test_linear_follows_end_cursor(local_server, samples):
    exported = linear.parse([samples / "linear/Linear-tasks-backlog-backup.csv"])["tickets"]
    nodes = [
        {
            "identifier": row["ticket_id"],
            "createdAt": row["created_at"].isoformat(),
            "completedAt": row["resolved_at"].isoformat() if row["resolved_at"] else None,
            "state": {"name": row["status"]},
            "assignee": {"id": "b5f0", "email": row["assignee"]},
            "labels": {"nodes": [{"name": row["issue_type"]}] if row["issue_type"] else []},
        }
        for row in exported.iter_rows(named=True)
    ]
    local_server.add("POST", "/graphql", json=linear_page(nodes[:15], "c-15"))
    local_server.add("POST", "/graphql", json=linear_page(nodes[15:], None))

    tables = LINEAR(date(2024, 5, 1), environ={"LINEAR_API_URL": local_server.url, "LINEAR_API_KEY": SECRET})

    assert_frame_equal(tables["tickets"], exported)
    first, second = local_server.requests
    assert first.headers["authorization"] == SECRET  # personal API keys are sent as they are
    assert first.json["variables"] == {"after": None, "since": "2024-05-01"}
    assert second.json["variables"]["after"] == "c-15"


def test_linear_graphql_errors_are_reported(local_server):
    local_server.add("POST", "/graphql", json={"errors": [{"message": "Argument 'first' is too large"}]})

    with pytest.raises(SourceError, match="Linear: GraphQL error: Argument 'first' is too large"):
        LINEAR(date(2024, 5, 1), environ={"LINEAR_API_URL": local_server.url, "LINEAR_API_KEY": SECRET})
