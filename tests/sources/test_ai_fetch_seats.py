"""The seat-analytics fetchers (Claude Enterprise, Codex, Devin) against a real HTTP server on
127.0.0.1 serving pages built from the samples: the same rows as importing those pages."""

from __future__ import annotations

import json
import logging
from datetime import date

from polars.testing import assert_frame_equal

from pipelines.sources import FETCHERS, claude_enterprise, codex, devin, fetch_seats
from pipelines.sources.http import Client

SECRET = "sk-ant-analytics-SECRET-do-not-log"


def client_for(api, server, sleeps, **extra):
    environ = {api.base_url_variable: server.url, api.credentials.variable: SECRET, **extra}
    return Client(api, environ=environ, sleep=sleeps.append)


def load(path):
    return json.loads(path.read_text())


def test_claude_enterprise_usage_cost_and_users_pages(local_server, sleeps, samples, tmp_path, caplog):
    folder = samples / "claude-enterprise"
    usage, cost = (
        load(folder / "user_usage_report_doc_example.json"),
        load(folder / "user_cost_report_doc_example.json"),
    )
    users = {"data": load(folder / "datadog_integration_test_rows.json")["users_rows"], "next_page": None}
    last = {"data": [], "has_more": False, "next_page": None}
    base = "/v1/organizations/analytics"
    for report, page in (("user_usage_report", usage), ("user_cost_report", cost)):
        local_server.add("GET", f"{base}/{report}", json=page)  # next_page "next_page"
        local_server.add("GET", f"{base}/{report}", query={"page": "next_page"}, json=last)
    local_server.add(
        "GET", f"{base}/users", query={"date": "2019-12-27"}, status=429, headers={"Retry-After": "2"}
    )
    local_server.add("GET", f"{base}/users", query={"date": "2019-12-27"}, json=users)

    with (
        caplog.at_level(logging.WARNING, "tokenyield.sources"),
        client_for(fetch_seats.CLAUDE_ENTERPRISE, local_server, sleeps) as client,
    ):
        tables = fetch_seats.fetch_claude_enterprise(
            client, date(2019, 12, 27), date(2019, 12, 28), today=date(2019, 12, 31)
        )

    for name, page in (("usage.json", usage), ("cost.json", cost), ("users_2019-12-27.json", users)):
        (tmp_path / name).write_text(json.dumps(page))
    expected = claude_enterprise.parse(sorted(tmp_path.iterdir()))
    assert_frame_equal(tables["ai_usage"], expected["ai_usage"])
    assert_frame_equal(tables["ai_activity"], expected["ai_activity"])
    assert sleeps == [2.0]
    first = local_server.requests[0]
    assert (first.query["starting_at"], first.query["ending_at"], first.query["bucket_width"]) == (
        "2019-12-27T00:00:00Z", "2019-12-29T00:00:00Z", "1d",
    )  # fmt: skip
    assert "group_by%5B%5D=model&group_by%5B%5D=product" in first.raw_query
    assert first.headers["x-api-key"] == SECRET
    # 2019-12-28 is not ready four days before 2019-12-31: asked later, not now
    assert [r.query.get("date") for r in local_server.requests if r.path.endswith("/users")] == [
        "2019-12-27"
    ] * 2
    assert "not ready yet" in caplog.text


def test_codex_usage_pages_for_the_workspace(local_server, sleeps, samples):
    page = load(samples / "codex" / "ASSEMBLED_usage_per_user_daily.json")
    first_half = {**page, "data": page["data"][:2], "has_more": True, "next_page": "cursor-2"}
    second_half = {**page, "data": page["data"][2:], "has_more": False, "next_page": None}
    route = "/v1/analytics/codex/workspaces/ws_123/usage"
    local_server.add("GET", route, status=503)
    local_server.add("GET", route, json=first_half)
    local_server.add("GET", route, query={"page": "cursor-2"}, json=second_half)

    with client_for(
        fetch_seats.CODEX, local_server, sleeps, TOKENYIELD_CODEX_WORKSPACE_ID="ws_123"
    ) as client:
        tables = fetch_seats.fetch_codex(client, date(2026, 5, 11), date(2026, 5, 12))

    expected = codex.parse([samples / "codex" / "ASSEMBLED_usage_per_user_daily.json"])
    assert_frame_equal(tables["ai_usage"], expected["ai_usage"])
    assert_frame_equal(tables["ai_activity"], expected["ai_activity"])
    assert sleeps == [1.0]
    asked = local_server.requests[0]
    assert (asked.query["start_time"], asked.query["end_time"], asked.query["group_by"]) == (
        "1778457600", "1778630400", "day",
    )  # fmt: skip
    assert asked.headers["authorization"] == f"Bearer {SECRET}"


def test_devin_asks_each_user_with_consumption(local_server, sleeps, samples):
    totals = load(samples / "devin" / "v2_enterprise_consumption_daily_doc_example.json")
    series = load(samples / "devin" / "v2_enterprise_consumption_daily_user_doc_example.json")
    local_server.add("GET", "/v2/enterprise/consumption/daily", json=totals)
    for user in ("user_123", "user_456", "user_789"):
        local_server.add("GET", f"/v2/enterprise/consumption/daily/{user}", json=series)

    with client_for(fetch_seats.DEVIN, local_server, sleeps) as client:
        tables = fetch_seats.fetch_devin(client, date(2024, 1, 1), date(2024, 1, 3))

    path = samples / "devin" / "v2_enterprise_consumption_daily_user_doc_example.json"
    expected = [
        devin.parse([path], person=user)["ai_activity"] for user in ("user_123", "user_456", "user_789")
    ]
    assert tables["ai_activity"].rows() == [row for frame in expected for row in frame.rows()]
    assert local_server.requests[0].query == {
        "start_date": "2024-01-01T08:00:00Z",
        "end_date": "2024-01-04T08:00:00Z",
    }


def test_the_seat_fetchers_are_registered_for_fetch_and_sync():
    assert {name: FETCHERS[name].api.name for name in ("claude-enterprise", "codex", "devin")} == {
        "claude-enterprise": "claude-enterprise", "codex": "codex", "devin": "devin",
    }  # fmt: skip
