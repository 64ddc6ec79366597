"""The Windsurf and GitLab Duo fetchers against a real HTTP server on 127.0.0.1 serving pages built
from the samples."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from pipelines.sources import FETCHERS, fetch_ide, gitlab_duo
from pipelines.sources.api import FetchError
from pipelines.sources.cli import register
from pipelines.sources.http import Client

SECRET = "windsurf-service-key-SECRET-do-not-log"


def client_for(api, server, sleeps, **extra):
    environ = {api.base_url_variable: server.url, api.credentials.variable: SECRET, **extra}
    return Client(api, environ=environ, sleep=sleeps.append)


def load(path):
    return json.loads(path.read_text())


def test_windsurf_sends_the_service_key_in_the_body_only(local_server, sleeps, samples):
    folder = samples / "windsurf" / "faros_fixtures"
    local_server.add("POST", "/api/v1/UserPageAnalytics", json=load(folder / "user_page_analytics.json"))
    lines, runs = load(folder / "cascade_lines_analytics.json"), load(folder / "cascade_runs_analytics.json")
    local_server.add("POST", "/api/v1/CascadeAnalytics", status=429, headers={"Retry-After": "1"})
    local_server.add(
        "POST",
        "/api/v1/CascadeAnalytics",
        json={"queryResults": lines["queryResults"] + runs["queryResults"]},
    )
    local_server.add("POST", "/api/v1/CascadeAnalytics", json={"queryResults": []})
    local_server.add("POST", "/api/v1/Analytics", json=load(folder / "autocomplete_analytics.json"))
    local_server.add("POST", "/api/v1/Analytics", json=load(folder / "chat_analytics.json"))

    with client_for(fetch_ide.WINDSURF, local_server, sleeps) as client:
        tables = fetch_ide.fetch_windsurf(client, date(2024, 1, 15), date(2024, 1, 16))

    assert tables["identities"].rows() == [
        ("john@company.com", "windsurf", "hashed_api_key_123"),
        ("jane@company.com", "windsurf", "hashed_api_key_456"),
    ]
    john, key = "john@company.com", "hashed_api_key_123"
    jan_15, jan_16 = date(2024, 1, 15), date(2024, 1, 16)
    assert tables["ai_activity"].rows() == [
        (jan_15, john, "windsurf", "lines_suggested", 150.0),
        (jan_15, john, "windsurf", "lines_accepted", 80.0),
        (jan_16, john, "windsurf", "lines_suggested", 200.0),
        (jan_16, john, "windsurf", "lines_accepted", 120.0),
        (jan_15, john, "windsurf", "chat_requests", 5.0),
        (jan_15, john, "windsurf", "credits", 0.03),
        (jan_16, john, "windsurf", "chat_requests", 8.0),
        (jan_16, john, "windsurf", "credits", 0.06),
        (jan_15, key, "windsurf", "acceptances", 45.0),
        (jan_15, key, "windsurf", "lines_accepted", 430.0),
        (jan_15, key, "windsurf", "chat_requests", 25.0),
    ]
    assert sleeps == [1.0]
    bodies = [r.json for r in local_server.requests]
    assert all(body["service_key"] == SECRET for body in bodies)
    assert all(SECRET not in " ".join(r.headers.values()) for r in local_server.requests)
    cascade = bodies[2]  # the first CascadeAnalytics call was the 429
    assert (cascade["emails"], cascade["start_timestamp"], cascade["end_timestamp"]) == (
        ["john@company.com"], "2024-01-15T00:00:00Z", "2024-01-17T00:00:00Z",
    )  # fmt: skip
    assert bodies[-1]["query_requests"][0]["filters"][0] == {
        "name": "date",
        "filter": "QUERY_FILTER_GE",
        "value": "2024-01-15",
    }


def _page(nodes, cursor=None):
    info = {"hasNextPage": cursor is not None, "endCursor": cursor}
    return {"data": {"group": {"aiUsageData": {"connection": {"nodes": nodes, "pageInfo": info}}}}}


def _named(page, connection):
    usage = page["data"]["group"]["aiUsageData"]
    usage[connection] = usage.pop("connection")
    return page


def test_gitlab_duo_follows_graphql_cursors_and_counts_each_event_once(local_server, sleeps, samples):
    folder = samples / "gitlab-duo"
    suggestions = load(folder / "aiUsageData_codeSuggestionEvents_doc_example.json")
    nodes = suggestions["data"]["group"]["aiUsageData"]["codeSuggestionEvents"]["nodes"]
    other = load(folder / "aiUsageData_all_doc_example.json")["data"]["group"]["aiUsageData"]["all"]["nodes"]
    # codeSuggestionEvents in two pages; `all` repeats one code suggestion event
    local_server.add("POST", "/api/graphql", json=_named(_page(nodes[:2], "c1"), "codeSuggestionEvents"))
    local_server.add("POST", "/api/graphql", json=_named(_page(nodes[2:]), "codeSuggestionEvents"))
    local_server.add("POST", "/api/graphql", json=_named(_page(other + nodes[:1]), "all"))

    with client_for(
        fetch_ide.GITLAB_DUO, local_server, sleeps, TOKENYIELD_GITLAB_GROUP="gitlab-org"
    ) as client:
        tables = fetch_ide.fetch_gitlab_duo(client, date(2025, 9, 26), date(2025, 9, 26))

    expected = gitlab_duo.parse([folder / "aiUsageData_codeSuggestionEvents_doc_example.json",
                                 folder / "aiUsageData_all_doc_example.json"])  # fmt: skip
    assert sorted(tables["ai_activity"].rows()) == sorted(expected["ai_activity"].rows())
    requests = [r.json for r in local_server.requests]
    assert [r["variables"] for r in requests] == [
        {"fullPath": "gitlab-org", "after": None}, {"fullPath": "gitlab-org", "after": "c1"},
        {"fullPath": "gitlab-org", "after": None},
    ]  # fmt: skip
    assert 'codeSuggestionEvents(startDate: "2025-09-26", endDate: "2025-09-26"' in requests[0]["query"]
    assert local_server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_gitlab_duo_graphql_errors_are_one_line(local_server, sleeps):
    local_server.add(
        "POST", "/api/graphql", json={"errors": [{"message": "aiUsageData requires ClickHouse"}]}
    )

    client = client_for(fetch_ide.GITLAB_DUO, local_server, sleeps, TOKENYIELD_GITLAB_GROUP="g")
    with client, pytest.raises(FetchError, match="gitlab-duo: GraphQL: aiUsageData requires ClickHouse"):
        fetch_ide.fetch_gitlab_duo(client, date(2025, 9, 26), date(2025, 9, 26))


def test_the_ide_fetchers_are_registered_for_fetch_and_sync():
    assert (FETCHERS["windsurf"].api.name, FETCHERS["gitlab-duo"].api.name) == ("windsurf", "gitlab-duo")


def test_fetch_windsurf_on_the_command_line_never_writes_the_body_secret(
    local_server, samples, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    folder = samples / "windsurf" / "faros_fixtures"
    local_server.add("POST", "/api/v1/UserPageAnalytics", json=load(folder / "user_page_analytics.json"))
    local_server.add("POST", "/api/v1/CascadeAnalytics", json=load(folder / "cascade_runs_analytics.json"))
    # a server that echoes the key back in its error
    local_server.add("POST", "/api/v1/Analytics", json={"error": f"bad query for key {SECRET}"}, status=400)
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    env = {"TOKENYIELD_WINDSURF_BASE_URL": local_server.url, "WINDSURF_SERVICE_KEY": SECRET}

    failed = CliRunner().invoke(
        app, ["fetch", "windsurf", "--into", str(tmp_path), "--since", "2024-01-15"], env=env
    )

    # one line naming the source and the call, nothing stored, the secret redacted everywhere
    assert (failed.exit_code, failed.output.strip()) == (
        1, "error: windsurf: POST /api/v1/Analytics failed (400): bad query for key ***",
    )  # fmt: skip
    assert SECRET not in failed.output + caplog.text
    assert not any(tmp_path.iterdir())
