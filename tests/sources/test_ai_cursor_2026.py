"""Cursor's 2026 API shapes -> exact canonical rows: cost is `chargedCents`, headless (background
agent) requests are counted, and AI Code Tracking commits give AI vs non-AI lines per day."""

from __future__ import annotations

import json
from datetime import date

from polars.testing import assert_frame_equal

from pipelines.sources import cursor, fetch_ai
from pipelines.sources.http import Client

SAMPLES = "cursor-2026"
DEV, ADMIN = "developer@company.com", "admin@company.com"


def test_cost_is_the_charged_cents_including_cursors_token_fee_and_untokened_events(samples):
    tables = cursor.parse([samples / SAMPLES / "admin_filtered_usage_events_2026_doc_example.json"])

    assert tables["ai_usage"].select(
        "user", "model", "input_tokens", "cost_usd", "tokens_reported"
    ).rows() == [
        (DEV, "claude-4.5-sonnet", 126, 0.2136232, True),  # chargedCents 21.36232, not totalCents 20.18232
        (DEV, "claude-4.5-sonnet", 5805, 0.3733, True),  # 10% off: 37.33 charged of 40.167
        (ADMIN, "claude-4-sonnet-thinking", 0, 0.08, False),  # no tokens, still 8 cents charged
    ]
    assert "ai_activity" not in tables  # no headless request here


def test_a_headless_request_is_a_background_agent_request(samples):
    tables = cursor.parse(
        [samples / SAMPLES / "admin_filtered_usage_events_service_account_2026_doc_example.json"]
    )

    assert tables["ai_usage"].select("user", "cost_usd").rows() == [("agent-runner@company.com", 0.2136232)]
    assert tables["ai_activity"].rows() == [
        (date(2025, 6, 26), "agent-runner@company.com", "cursor", "background_agent_requests", 1.0)
    ]


def test_ai_code_commits_give_ai_and_non_ai_lines_per_author_and_day(samples):
    tables = cursor.parse([samples / SAMPLES / "faros_fixtures" / "ai_commit_metrics.json"])

    day = date(2025, 9, 3)
    assert tables["ai_activity"].rows() == [
        (day, DEV, "cursor", "commits", 2.0),
        (day, DEV, "cursor", "ai_lines_added", 142.0),  # tab 21 + 3, composer 0 + 118
        (day, DEV, "cursor", "non_ai_lines_added", 98.0),
        (day, DEV, "cursor", "non_ai_lines_deleted", 66.0),  # 2 + 64; no AI lines deleted: no row
        (day, ADMIN, "cursor", "commits", 1.0),
        (day, ADMIN, "cursor", "non_ai_lines_added", 4.0),
        (day, ADMIN, "cursor", "non_ai_lines_deleted", 11.0),
    ]


def test_the_commits_csv_export_reads_like_the_json(samples):
    from_csv = cursor.parse([samples / SAMPLES / "ai_code_commits_doc_example.csv"])["ai_activity"]
    from_json = cursor.parse([samples / SAMPLES / "ai_code_commits_doc_example.json"])["ai_activity"]

    day = date(2025, 7, 30)
    assert from_csv.rows() == [  # the CSV holds two commits, the JSON example the first of them
        (day, DEV, "cursor", "commits", 2.0),
        (day, DEV, "cursor", "ai_lines_added", 145.0),  # 50 + 40, 30 + 25
        (day, DEV, "cursor", "ai_lines_deleted", 23.0),
        (day, DEV, "cursor", "non_ai_lines_added", 60.0),
        (day, DEV, "cursor", "non_ai_lines_deleted", 22.0),
    ]
    assert from_json.rows() == [
        (day, DEV, "cursor", "commits", 1.0),
        (day, DEV, "cursor", "ai_lines_added", 90.0),
        (day, DEV, "cursor", "ai_lines_deleted", 15.0),
        (day, DEV, "cursor", "non_ai_lines_added", 30.0),
        (day, DEV, "cursor", "non_ai_lines_deleted", 15.0),
    ]


def test_the_fetcher_reads_ai_code_commits_when_asked(local_server, sleeps, samples):
    commits = json.loads((samples / SAMPLES / "faros_fixtures" / "ai_commit_metrics.json").read_text())
    first = {**commits, "items": commits["items"][:2], "page": 1, "pageSize": 2, "totalCount": 3}
    second = {**commits, "items": commits["items"][2:], "page": 2, "pageSize": 2, "totalCount": 3}
    local_server.add("POST", "/teams/daily-usage-data", json={"data": []})
    local_server.add("POST", "/teams/filtered-usage-events", json={"usageEvents": [], "pagination": {}})
    local_server.add("GET", "/analytics/ai-code/commits", query={"page": "1"}, json=first)
    local_server.add("GET", "/analytics/ai-code/commits", query={"page": "2"}, json=second)
    environ = {"TOKENYIELD_CURSOR_BASE_URL": local_server.url, "CURSOR_ADMIN_API_KEY": "key_x"}

    with Client(
        fetch_ai.CURSOR, environ={**environ, "TOKENYIELD_CURSOR_AI_CODE": "1"}, sleep=sleeps.append
    ) as client:
        tables = fetch_ai.fetch_cursor(client, date(2025, 9, 3), date(2025, 9, 3))

    expected = cursor.parse([samples / SAMPLES / "faros_fixtures" / "ai_commit_metrics.json"])["ai_activity"]
    assert_frame_equal(tables["ai_activity"], expected)
    asked = [r for r in local_server.requests if r.path == "/analytics/ai-code/commits"]
    assert [(r.query["startDate"], r.query["endDate"], r.query["page"]) for r in asked] == [
        ("2025-09-03", "2025-09-03", "1"),
        ("2025-09-03", "2025-09-03", "2"),
    ]
