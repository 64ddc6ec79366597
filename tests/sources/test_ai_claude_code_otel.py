"""Claude Code and Gemini CLI OpenTelemetry metrics and logs -> exact canonical rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from pipelines.sources import claude_code_otel
from pipelines.sources.errors import SourceError


def test_claude_code_log_api_request_is_one_row_with_its_cost(samples):
    folder = samples / "claude-code-otel"
    tables = claude_code_otel.parse(
        [folder / "claude_code_2.1.294_real_ExportLogsServiceRequest_api_request.json"]
    )

    # the run's user.email was redacted to "REDACTED" by the sample's author
    assert tables["ai_usage"].rows() == [
        (datetime(2026, 10, 8, 8, 15, 18, 137000, tzinfo=UTC), "REDACTED", "claude-code", "claude-haiku-5-5",
         2, 4, 9179, 13356, 1, 0.0027651900000000003,
         "claude-code-otel:claude-code:req_011CfpSK96NthX9vPNsW9X2b:eec3945a-5a85-4c3c-9aa2-39e4b8445cef:15:"
         "2026-10-08T08:15:18.137000+00:00", True),
    ]  # fmt: skip
    assert "ai_activity" not in tables


def test_claude_code_log_without_requests_gives_no_rows(samples):
    path = (
        samples
        / "claude-code-otel"
        / "claude_code_2.1.294_real_ExportLogsServiceRequest_user_prompt_cut.json"
    )
    assert claude_code_otel.parse([path]) == {}


def test_claude_code_delta_metrics_tokens_cost_and_activity(samples):
    tables = claude_code_otel.parse(
        [samples / "claude-code-otel" / "xiplias_production_patterns_metrics.jsonl"]
    )

    usage = tables["ai_usage"].drop("event_id").rows()
    assert usage == [
        # 2 in / 413 out / 33,975 cache read / 3,435 cache write, $0.14637375 at one point
        (datetime(2025, 5, 29, 15, 2, 31, 980000, tzinfo=UTC), "testuser@example.org", "claude-code",
         "claude-opus-4-20250514", 2, 413, 33975, 3435, 0, 0.14637375, True),
        # the sanitised sample gives the haiku cost and tokens to different users: cost-only, then tokens-only
        (datetime(2025, 5, 29, 15, 2, 36, 982000, tzinfo=UTC), "haiku-test@example.org", "claude-code",
         "claude-3-5-haiku-20241022", 0, 0, 0, 0, 0, 0.0782925, False),
        (datetime(2025, 5, 29, 15, 2, 36, 982000, tzinfo=UTC), "test-haiku-user456", "claude-code",
         "claude-3-5-haiku-20241022", 1, 109, 37410, 746, 0, None, True),
    ]  # fmt: skip
    day = date(2025, 5, 29)
    assert tables["ai_activity"].rows() == [
        (day, "editor-test@example.org", "claude-code", "acceptances", 1.0),
        (day, "coder-test@example.org", "claude-code", "lines_added", 2.0),
        (day, "coder-test@example.org", "claude-code", "lines_removed", 2.0),
    ]


def test_claude_code_commit_pr_lines_and_decisions(samples):
    path = samples / "claude-code-otel" / "ASSEMBLED_ExportMetricsServiceRequest_commit_pr_loc_decision.json"
    tables = claude_code_otel.parse([path])

    day, dev1, dev2 = date(2026, 5, 10), "dev1@example.com", "dev2@example.com"
    assert tables["ai_activity"].rows() == [
        (day, dev1, "claude-code", "commits", 2.0),
        (day, dev2, "claude-code", "commits", 1.0),
        (day, dev1, "claude-code", "pull_requests", 1.0),
        (day, dev1, "claude-code", "lines_added", 148.0),
        (day, dev1, "claude-code", "lines_removed", 37.0),
        (day, dev2, "claude-code", "lines_added", 22.0),
        (day, dev1, "claude-code", "acceptances", 9.0),
        (day, dev2, "claude-code", "rejections", 1.0),
    ]


def test_claude_code_2_1_138_metric_objects_in_an_envelope(samples, tmp_path):
    objects = json.loads(
        (samples / "claude-code-otel" / "claude_code_2.1.138_metric_objects_TRIMMED.json").read_text()
    )
    # the write-up shows the standard attributes (user.email, session.id ...) on the first point only:
    # give every point of a metric its first point's standard attributes back
    standard = {"user.id", "session.id", "app.version", "organization.id", "user.email", "user.account_uuid",
                "terminal.type"}  # fmt: skip
    for metric in objects:
        points = metric["sum"]["dataPoints"]
        shared = [a for a in points[0]["attributes"] if a["key"] in standard]
        for point in points[1:]:
            point["attributes"] = shared + point["attributes"]
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "claude-code"}}]}
    body = {"resourceMetrics": [{"resource": resource, "scopeMetrics": [{"metrics": objects}]}]}
    (tmp_path / "request.json").write_text(json.dumps(body))

    tables = claude_code_otel.parse([tmp_path / "request.json"])

    usage = tables["ai_usage"]
    # the write-up's real 2.1.138 capture: 9 in / 2,067 out / 168,193 cache read / 17,761 cache write
    # for $0.24682275 on its main-thread point; auxiliary (haiku) and subagent (sonnet) calls cost apart
    assert usage.select("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens").sum().row(0) == (
        9, 2067, 168193, 17761,
    )  # fmt: skip
    assert dict(usage.select("model", "cost_usd").rows()) == {
        "claude-opus-4-6": 0.24682275, "claude-haiku-4-5-20251001": 0.000477, "claude-sonnet-4-6": 0.0355332,
    }  # fmt: skip
    assert tables["ai_activity"].select("user", "metric", "value").rows() == [
        ("<user-email>", "sessions", 1.0),
        ("<user-email>", "acceptances", 2.0),
    ]


def test_gemini_cli_cumulative_metrics(samples):
    tables = claude_code_otel.parse(
        [samples / "gemini-cli-otel" / "ASSEMBLED_ExportMetricsServiceRequest_gemini_cli.json"]
    )

    assert tables["ai_usage"].drop("event_id").rows() == [
        (datetime(2026, 9, 2, 10, 6, 23, tzinfo=UTC), "dev3@example.com", "gemini-cli", "gemini-3.5-flash-lite",
         17349, 68, 0, 0, 2, None, True),
    ]  # fmt: skip
    assert tables["ai_activity"].rows() == [
        (date(2026, 9, 2), "dev3@example.com", "gemini-cli", "sessions", 1.0),
        (date(2026, 9, 2), "dev3@example.com", "gemini-cli", "lines_added", 1.0),
    ]


def test_cumulative_points_become_increments(tmp_path):
    def point(nanos: int, value: int) -> dict:
        attrs = [{"key": "user.email", "value": {"stringValue": "a@x.io"}},
                 {"key": "model", "value": {"stringValue": "gemini-3"}},
                 {"key": "type", "value": {"stringValue": "output"}}]  # fmt: skip
        return {
            "attributes": attrs,
            "startTimeUnixNano": "1",
            "timeUnixNano": str(nanos),
            "asInt": str(value),
        }

    metric = {"name": "gemini_cli.token.usage",
              "sum": {"aggregationTemporality": 2, "dataPoints": [point(2 * 10**18, 100), point(10**18, 40)]}}  # fmt: skip
    (tmp_path / "m.json").write_text(
        json.dumps({"resourceMetrics": [{"scopeMetrics": [{"metrics": [metric]}]}]})
    )

    rows = (
        claude_code_otel.parse([tmp_path / "m.json"])["ai_usage"]
        .select("occurred_at", "output_tokens")
        .rows()
    )

    assert rows == [
        (datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC), 40),
        (datetime(2033, 5, 18, 3, 33, 20, tzinfo=UTC), 60),
    ]


def test_a_file_that_is_not_otlp_names_the_file(tmp_path):
    (tmp_path / "x.json").write_text('{"resourceSpans": []}')
    with pytest.raises(SourceError, match=r"x\.json: row 1: not an OTLP metrics or logs export"):
        claude_code_otel.parse([tmp_path / "x.json"])


def test_a_request_event_with_no_user_names_the_event(tmp_path):
    record = {"timeUnixNano": "1791447318137000000", "attributes": [
        {"key": "event.name", "value": {"stringValue": "api_request"}},
        {"key": "input_tokens", "value": {"intValue": "3"}}]}  # fmt: skip
    (tmp_path / "l.json").write_text(
        json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [record]}]}]})
    )
    with pytest.raises(
        SourceError, match=r"l\.json: row 1, field 'api_request event': a request event with no user"
    ):
        claude_code_otel.parse([tmp_path / "l.json"])


def test_gemini_cli_outfile_request_events_with_person(samples):
    path = samples / "gemini-cli-otel" / "caprock_real_session_telemetry.log"
    tables = claude_code_otel.parse([path], person="dev3@example.com")

    # the same real session as the metrics sample: 8,631 + 8,718 = 17,349 input tokens, 41 + 27 output
    assert tables["ai_usage"].drop("event_id").rows() == [
        (datetime(2026, 9, 2, 10, 6, 21, 328000, tzinfo=UTC), "dev3@example.com", "gemini-cli",
         "gemini-3.5-flash-lite", 8631, 41, 0, 0, 1, None, True),
        (datetime(2026, 9, 2, 10, 6, 22, 367000, tzinfo=UTC), "dev3@example.com", "gemini-cli",
         "gemini-3.5-flash-lite", 8718, 27, 0, 0, 1, None, True),
    ]  # fmt: skip


def test_gemini_cli_outfile_without_a_user_asks_for_person(samples):
    path = samples / "gemini-cli-otel" / "caprock_real_session_telemetry.log"
    with pytest.raises(SourceError, match=r"row 3, field 'gemini_cli\.api_response event'.*--person EMAIL"):
        claude_code_otel.parse([path])


def test_gen_ai_client_token_usage_histogram(tmp_path):
    # the GenAI semantic conventions' client metric: a histogram per token type; its sum is the tokens
    # and the count of its input points the requests
    def point(kind: str, total: int, count: int) -> dict:
        attrs = [{"key": "gen_ai.token.type", "value": {"stringValue": kind}},
                 {"key": "gen_ai.response.model", "value": {"stringValue": "gpt-5"}}]  # fmt: skip
        return {"attributes": attrs, "timeUnixNano": "1767225600000000000", "count": str(count), "sum": total}

    metric = {"name": "gen_ai.client.token.usage",
              "histogram": {"aggregationTemporality": 1, "dataPoints": [point("input", 900, 3), point("output", 120, 3)]}}  # fmt: skip
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "support-bot"}},
                               {"key": "user.email", "value": {"stringValue": "a@x.io"}}]}  # fmt: skip
    body = {"resourceMetrics": [{"resource": resource, "scopeMetrics": [{"metrics": [metric]}]}]}
    (tmp_path / "m.json").write_text(json.dumps(body))

    rows = claude_code_otel.parse([tmp_path / "m.json"])["ai_usage"].drop("event_id").rows()

    assert rows == [
        (datetime(2026, 1, 1, tzinfo=UTC), "a@x.io", "support-bot", "gpt-5", 900, 120, 0, 0, 3, None, True)
    ]
