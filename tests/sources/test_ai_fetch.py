"""The AI-usage fetchers against a real HTTP server on 127.0.0.1 serving pages built from samples."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

from polars.testing import assert_frame_equal

from pipelines.sources import anthropic_claude_code, copilot, cursor, fetch_ai
from pipelines.sources.http import Client

SECRET = "sk-ant-admin01-SECRET-do-not-log"


def client_for(api, server, sleeps, **extra):
    environ = {api.base_url_variable: server.url, api.credentials.variable: SECRET, **extra}
    return Client(api, environ=environ, sleep=sleeps.append)


def load(path):
    return json.loads(path.read_text())


def test_claude_code_pages_per_day_with_a_rate_limit(local_server, sleeps, samples):
    sample = samples / "anthropic" / "claude_code_usage_report_example.json"
    page = load(sample)  # has_more true, next_page "page_..."
    route = "/v1/organizations/usage_report/claude_code"
    day_1, day_2 = {"starting_at": "2025-08-08"}, {"starting_at": "2025-08-09"}
    last = {"data": [], "has_more": False, "next_page": None}
    local_server.add("GET", route, query=day_1, status=429, headers={"Retry-After": "3"})
    local_server.add("GET", route, query=day_1, json=page)
    local_server.add("GET", route, query={**day_1, "page": page["next_page"]}, json=last)
    local_server.add("GET", route, query=day_2, json=last)

    with client_for(fetch_ai.ANTHROPIC, local_server, sleeps) as client:
        tables = fetch_ai.fetch_claude_code(client, date(2025, 8, 8), date(2025, 8, 9))

    expected = anthropic_claude_code.parse([sample])
    assert_frame_equal(tables["ai_usage"], expected["ai_usage"])
    assert_frame_equal(tables["ai_activity"], expected["ai_activity"])
    assert sleeps == [3.0]
    assert [r.query.get("page") for r in local_server.requests] == [None, None, page["next_page"], None]
    headers = local_server.requests[0].headers
    assert (headers["x-api-key"], headers["anthropic-version"]) == (SECRET, "2023-06-01")


def test_messages_report_follows_next_page_and_retries_5xx(local_server, sleeps, samples):
    page = load(samples / "anthropic" / "messages_usage_report_example.json")  # next_page is a timestamp
    second = copy.deepcopy(page)
    second["data"][0].update(starting_at="2025-08-02T00:00:00Z", ending_at="2025-08-03T00:00:00Z")
    second.update(has_more=False, next_page=None)
    route = "/v1/organizations/usage_report/messages"
    local_server.add("GET", route, status=503)
    local_server.add("GET", route, status=500)
    local_server.add("GET", route, json=page)
    local_server.add("GET", route, query={"page": page["next_page"]}, json=second)

    with client_for(fetch_ai.ANTHROPIC, local_server, sleeps) as client:
        tables = fetch_ai.fetch_messages(client, date(2025, 8, 1), date(2025, 8, 2))

    assert tables["ai_usage"].select("occurred_at", "user", "input_tokens").rows() == [
        (datetime(2025, 8, 1, tzinfo=UTC), "apikey_01Rj2N8SVvo6BePZj99NhmiT", 1500),
        (datetime(2025, 8, 2, tzinfo=UTC), "apikey_01Rj2N8SVvo6BePZj99NhmiT", 1500),
    ]
    assert sleeps == [1.0, 2.0]  # exponential backoff from Client's 1 s default
    first = local_server.requests[0]
    assert (first.query["starting_at"], first.query["ending_at"]) == (
        "2025-08-01T00:00:00Z",
        "2025-08-03T00:00:00Z",
    )
    assert "group_by%5B%5D=api_key_id&group_by%5B%5D=account_id&group_by%5B%5D=model" in first.raw_query


def test_openai_completions_and_users_follow_both_cursor_styles(local_server, sleeps, samples):
    page = load(samples / "openai" / "usage_completions_page_example.json")  # has_more, next_page
    page["data"][0]["results"][0].update(user_id="user_abc", model="gpt-4o")
    second = {"object": "page", "data": [], "has_more": False, "next_page": None}
    users = load(samples / "openai" / "organization_users_list_example.json")
    more_users = {**users, "has_more": True}  # then ?after=<last_id>
    last_users = {"object": "list", "data": [{"id": "user_def", "email": "bo@acme.io"}], "has_more": False}
    local_server.add("GET", "/v1/organization/usage/completions", json=page)
    local_server.add(
        "GET", "/v1/organization/usage/completions", query={"page": page["next_page"]}, json=second
    )
    local_server.add("GET", "/v1/organization/users", json=more_users)
    local_server.add("GET", "/v1/organization/users", query={"after": users["last_id"]}, json=last_users)

    with client_for(fetch_ai.OPENAI, local_server, sleeps) as client:
        tables = fetch_ai.fetch_openai(client, date(2024, 11, 1), date(2024, 11, 1))

    assert tables["ai_usage"].select(
        "user", "model", "input_tokens", "cache_read_tokens", "requests"
    ).rows() == [("user@example.com", "gpt-4o", 200, 800, 5)]
    assert tables["identities"].rows() == [
        ("user@example.com", "openai", "user_abc"),
        ("bo@acme.io", "openai", "user_def"),
    ]
    first = local_server.requests[0]
    assert (first.query["start_time"], first.query["end_time"]) == ("1730419200", "1730505600")
    assert first.headers["authorization"] == f"Bearer {SECRET}"


def test_copilot_downloads_each_days_report_without_credentials(local_server, sleeps, samples, caplog):
    caplog.set_level("DEBUG")
    sample = samples / "github_copilot" / "viewer" / "new-api__organization-users-1-day-report.json"
    ndjson = "\n".join(json.dumps(record) for record in load(sample)["day_totals"])
    signed = "/reports/users-1-day.ndjson?sig=SIGNATURE-abc123"
    route = "/orgs/acme/copilot/metrics/reports/users-1-day"
    local_server.add("GET", route, query={"day": "2026-04-25"}, json={"download_links": ["{base}" + signed]})
    local_server.add("GET", "/reports/users-1-day.ndjson", body=ndjson)

    with client_for(fetch_ai.COPILOT, local_server, sleeps, TOKENYIELD_COPILOT_ORG="acme") as client:
        tables = fetch_ai.fetch_copilot(client, date(2026, 4, 25), date(2026, 4, 25))

    expected = copilot.parse([sample])
    assert_frame_equal(tables["ai_usage"], expected["ai_usage"])
    assert_frame_equal(tables["ai_activity"], expected["ai_activity"])
    metrics_call, download = local_server.requests
    assert metrics_call.headers["authorization"] == f"Bearer {SECRET}"
    assert metrics_call.headers["x-github-api-version"] == "2022-11-28"
    assert "authorization" not in download.headers
    assert "SIGNATURE" not in caplog.text and SECRET not in caplog.text


def test_cursor_daily_windows_and_numbered_event_pages(local_server, sleeps, samples):
    daily = load(samples / "cursor" / "teams_daily_usage_data_example.json")
    events = load(samples / "cursor" / "teams_filtered_usage_events_example.json")  # hasNextPage true
    last = {"usageEvents": [], "pagination": {"hasNextPage": False}}
    local_server.add("POST", "/teams/daily-usage-data", json=daily)
    local_server.add("POST", "/teams/filtered-usage-events", json=events)
    local_server.add("POST", "/teams/filtered-usage-events", json=last)

    with client_for(fetch_ai.CURSOR, local_server, sleeps) as client:
        tables = fetch_ai.fetch_cursor(client, date(2024, 3, 18), date(2024, 3, 19))

    expected_events = cursor.parse([samples / "cursor" / "teams_filtered_usage_events_example.json"])
    expected_daily = cursor.parse([samples / "cursor" / "teams_daily_usage_data_example.json"])
    assert_frame_equal(tables["ai_usage"], expected_events["ai_usage"])
    assert_frame_equal(tables["ai_activity"], expected_daily["ai_activity"])
    daily_call, first_page, second_page = local_server.requests
    # 2024-03-18T00:00Z .. 2024-03-19T23:59:59.999Z in epoch milliseconds
    assert daily_call.json == {"startDate": 1710720000000, "endDate": 1710892799999}
    assert (first_page.json["page"], second_page.json["page"], second_page.json["pageSize"]) == (1, 2, 100)
    assert daily_call.headers["authorization"].startswith("Basic ")


def test_fetch_days_default_until_today():
    today = datetime.now(UTC).date()
    assert fetch_ai.days(today, None) == [today]
