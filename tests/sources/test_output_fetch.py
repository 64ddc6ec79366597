"""What every output fetcher (GitHub, GitLab, Jira, Linear) does against a real HTTP server on
127.0.0.1 serving recorded pages: rate limits, server errors, refused and missing credentials,
and secrets kept out of logs, errors and files."""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipelines.sources import store
from pipelines.sources.fetch_output import GITHUB, GITLAB
from pipelines.sources.fetch_tickets import JIRA, LINEAR
from pipelines.sources.http import CredentialsError, Fetcher, FetchError
from tests.sources.conftest import SAMPLES, serve_github_details

SECRET = "tok-SECRET-8c1f2e"
SINCE = date(2000, 1, 1)


@dataclass(frozen=True)
class Case:
    fetcher: Fetcher
    method: str
    path: str
    secret_variable: str
    environ: dict[str, str]  # "{base}" becomes the server's URL
    refused: dict[str, Any]  # what the service answers a bad credential with
    table: str


CASES = {
    "github": Case(
        GITHUB, "GET", "/repos/panjf2000/ants/pulls", "GITHUB_TOKEN",
        {"GITHUB_API_URL": "{base}", "TOKENYIELD_GITHUB_REPOS": "panjf2000/ants"},
        {"status": 401, "json": {"message": "Bad credentials"}}, "pull_requests",
    ),
    "gitlab": Case(
        GITLAB, "GET", "/api/v4/projects/12345678/merge_requests", "GITLAB_TOKEN",
        {"GITLAB_API_URL": "{base}/api/v4", "TOKENYIELD_GITLAB_PROJECTS": "12345678"},
        {"status": 401, "json": {"message": "401 Unauthorized"}}, "pull_requests",
    ),
    "jira": Case(
        JIRA, "GET", "/rest/api/3/search/jql", "JIRA_API_TOKEN",
        {"JIRA_BASE_URL": "{base}", "JIRA_EMAIL": "bot@acme.io"},
        {"status": 401, "body": "Client must be authenticated to access this resource."}, "tickets",
    ),
    "linear": Case(
        LINEAR, "POST", "/graphql", "LINEAR_API_KEY", {"LINEAR_API_URL": "{base}"},
        {"status": 400, "json": {"errors": [{"message": "Authentication required, not authenticated",
                                             "extensions": {"code": "AUTHENTICATION_ERROR"}}]}},
        "tickets",
    ),
}  # fmt: skip


def one_page(samples: Path, source: str) -> dict[str, Any]:
    """A recorded page holding one real item of the source (Linear: built from its export)."""
    derived = {
        "github": "github_prs/devlake/DERIVED_pulls_items.json",
        "gitlab": "gitlab/devlake/DERIVED_merge_requests_items.json",
        "jira": "jira/devlake/DERIVED_issues_items.json",
    }
    if source == "linear":
        node = {
            "identifier": "IN-10",
            "createdAt": "2024-05-14T08:53:33.000Z",
            "updatedAt": "2024-05-23T16:06:19.000Z",
            "completedAt": "2024-05-23T16:06:19.000Z",
            "state": {"name": "Done"},
            "assignee": {"id": "0b5c", "email": "pathliving@gmail.com"},
            "labels": {"nodes": [{"name": "Improvement"}]},
        }
        return {"json": {"data": {"issues": {"nodes": [node], "pageInfo": {"hasNextPage": False}}}}}
    item = json.loads((samples / derived[source]).read_text(encoding="utf-8"))[0]
    if source == "jira":
        return {"json": {"issues": [item], "isLast": True}}
    return {"json": [item], "headers": {"X-Next-Page": ""}}


def run(case: Case, server, sleeps: list[float], **overrides: str):
    if case.fetcher is GITHUB:
        serve_github_details(server, "panjf2000/ants", one_page(SAMPLES, "github")["json"])
    environ = {k: v.replace("{base}", server.url) for k, v in case.environ.items()}
    environ[case.secret_variable] = SECRET
    environ.update(overrides)
    environ = {k: v for k, v in environ.items() if v}
    return case.fetcher(SINCE, environ=environ, sleep=sleeps.append)


@pytest.fixture(params=sorted(CASES))
def source(request) -> str:
    return request.param


def test_a_429_waits_as_long_as_retry_after_says(source, samples, local_server, sleeps):
    case = CASES[source]
    local_server.add(
        case.method, case.path, status=429, headers={"Retry-After": "7"}, json={"message": "slow down"}
    )
    local_server.add(case.method, case.path, **one_page(samples, source))

    tables = run(case, local_server, sleeps)

    assert sleeps == [7.0]
    assert tables[case.table].height == 1


def test_server_errors_are_retried_with_growing_waits(source, samples, local_server, sleeps):
    case = CASES[source]
    local_server.add(case.method, case.path, status=502, body="bad gateway")
    local_server.add(case.method, case.path, status=503, body="unavailable")
    local_server.add(case.method, case.path, **one_page(samples, source))

    tables = run(case, local_server, sleeps)

    assert sleeps == [1.0, 2.0]
    listed = [r for r in local_server.requests if r.path == case.path]
    assert tables[case.table].height == 1 and len(listed) == 3


def test_refused_credentials_name_the_variable(source, local_server, sleeps):
    case = CASES[source]
    local_server.add(case.method, case.path, **case.refused)

    with pytest.raises(CredentialsError) as caught:
        run(case, local_server, sleeps)

    assert case.secret_variable in str(caught.value)
    assert SECRET not in str(caught.value) and sleeps == []  # refused credentials are not retried


def test_a_missing_variable_fails_before_any_request(source, local_server, sleeps):
    case = CASES[source]

    with pytest.raises(CredentialsError, match=f"^{case.secret_variable} is not set$"):
        run(case, local_server, sleeps, **{case.secret_variable: ""})

    assert local_server.requests == []


def test_secrets_stay_out_of_logs_errors_and_files(source, samples, local_server, sleeps, caplog, tmp_path):
    case = CASES[source]
    caplog.set_level(logging.DEBUG)
    echo = {"message": f"upstream rejected token {SECRET}"}  # a server that echoes the secret
    local_server.add(case.method, case.path, status=502, json=echo)
    local_server.add(case.method, case.path, **one_page(samples, source))

    tables = run(case, local_server, sleeps)
    store.append(tmp_path, tables, source)
    local_server.routes.clear()
    local_server.add(case.method, case.path, status=404, json=echo)  # an error that quotes it
    with pytest.raises((FetchError, CredentialsError)) as caught:
        run(case, local_server, sleeps)

    seen = local_server.requests[0].headers
    assert SECRET in (seen.get("authorization", "") + seen.get("private-token", "") + _basic(seen))
    assert SECRET not in caplog.text
    assert SECRET not in str(caught.value)
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or SECRET.encode() not in path.read_bytes()


def _basic(headers: dict[str, str]) -> str:
    value = headers.get("authorization", "")
    return base64.b64decode(value[6:]).decode() if value.startswith("Basic ") else ""
