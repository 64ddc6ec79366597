"""Cursor, LiteLLM and OpenTelemetry samples -> exact canonical rows, checked by hand."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipelines.sources import cursor, litellm, otel
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import read_jsonc

OTEL_FIXTURE = Path(__file__).parents[1] / "fixtures" / "otel" / "genai_spans.otlp.json"


def test_cursor_usage_events_are_one_row_per_request(samples):
    tables = cursor.parse([samples / "cursor" / "teams_filtered_usage_events_example.json"])

    dev, admin = "developer@company.com", "admin@company.com"
    assert tables["ai_usage"].rows() == [
        # timestamps are epoch ms; totalCents 20.18232 and 40.167 are cents
        (datetime(2025, 6, 26, 23, 7, 5, 854000, tzinfo=UTC), dev, "cursor", "claude-4-opus",
         126, 450, 11964, 6112, 1, 0.2018232, f"cursor:1750979225854:{dev}:claude-4-opus", True),
        (datetime(2025, 6, 26, 23, 6, 13, 824000, tzinfo=UTC), dev, "cursor", "claude-4-opus",
         5805, 311, 0, 11964, 1, 0.40167, f"cursor:1750979173824:{dev}:claude-4-opus", True),
        # "Included in Business", no tokenUsage: an activity-only request
        (datetime(2025, 6, 26, 22, 52, 19, 901000, tzinfo=UTC), admin, "cursor", "claude-4-sonnet-thinking",
         0, 0, 0, 0, 1, None, f"cursor:1750978339901:{admin}:claude-4-sonnet-thinking", False),
    ]  # fmt: skip


def test_cursor_daily_usage_goes_to_activity(samples):
    tables = cursor.parse([samples / "cursor" / "teams_daily_usage_data_example.json"])

    assert "ai_usage" not in tables
    dev, mar_18, mar_19 = "developer@company.com", date(2024, 3, 18), date(2024, 3, 19)
    assert tables["ai_activity"].rows() == [
        (mar_18, dev, "cursor", "lines_added", 1543.0),
        (mar_18, dev, "cursor", "lines_removed", 892.0),
        (mar_18, dev, "cursor", "lines_accepted", 1102.0),
        (mar_18, dev, "cursor", "suggestions", 429.0),  # 87 applies + 342 tabs shown
        (mar_18, dev, "cursor", "acceptances", 362.0),  # 73 accepts + 289 tabs accepted
        (mar_18, dev, "cursor", "rejections", 14.0),
        (mar_18, dev, "cursor", "chat_requests", 252.0),  # 128 chat + 45 composer + 12 agent + 67 cmd-k
        (mar_19, dev, "cursor", "lines_added", 2104.0),
        (mar_19, dev, "cursor", "lines_removed", 1203.0),
        (mar_19, dev, "cursor", "lines_accepted", 1876.0),
        (mar_19, dev, "cursor", "suggestions", 558.0),  # 102 + 456
        (mar_19, dev, "cursor", "acceptances", 489.0),  # 91 + 398
        (mar_19, dev, "cursor", "rejections", 11.0),
        (mar_19, dev, "cursor", "chat_requests", 335.0),  # 156 + 67 + 23 + 89
    ]


@pytest.mark.parametrize("name", ["teams_members_example.json", "teams_spend_example.json"])
def test_cursor_members_and_spend_are_read_but_hold_no_dated_usage(samples, caplog, name):
    assert cursor.parse([samples / "cursor" / name]) == {}
    assert "hold no dated usage" in caplog.text


def test_litellm_spend_log_doc_row_fields(samples):
    record = read_jsonc(samples / "litellm" / "spendlogs_row_doc_example.jsonc")

    assert record["spend"] == 0.000002 and record["api_key"] == "fe6b0cab4ff5a5a8df823196cc8a450*****"
    row = litellm.spend_log_row({**record, "startTime": "2024-05-01T10:00:00Z", "request_id": "r1"})
    assert row == {
        "occurred_at": datetime(2024, 5, 1, 10, tzinfo=UTC), "user": "default_user", "tool": "litellm",
        "model": "llama3", "input_tokens": 20, "output_tokens": 80, "cache_read_tokens": 0,
        "cache_write_tokens": 0, "requests": 1, "cost_usd": 0.000002, "event_id": "litellm:r1",
        "tokens_reported": True,
    }  # fmt: skip
    with pytest.raises(SourceError, match=r"spendlogs_row_doc_example\.jsonc: row 1, field 'startTime'"):
        litellm.parse([samples / "litellm" / "spendlogs_row_doc_example.jsonc"])


def test_litellm_global_spend_report_fields(samples):
    items = read_jsonc(samples / "litellm" / "global_spend_report_internal_user_doc_example.jsonc")
    day = datetime(2024, 4, 30, tzinfo=UTC)

    rows = [
        (r["user"][:8], r["model"], r["input_tokens"], r["output_tokens"], r["cost_usd"])
        for r in litellm.report_rows(items, day)
    ]

    assert rows == [
        ("88dc28d0", "gpt-3.5-turbo-instruct", 15, 18, 5.85e-05),
        ("88dc28d0", "llama3-8b-8192", 90, 854, 7.282000000000001e-05),
    ]
    with pytest.raises(SourceError, match="has no dates"):
        litellm.parse([samples / "litellm" / "global_spend_report_internal_user_doc_example.jsonc"])


def test_litellm_csv_export_with_owner_email_in_metadata(tmp_path):
    export = tmp_path / "spend.csv"
    export.write_text(
        "request_id,startTime,model,user,api_key,prompt_tokens,completion_tokens,spend,metadata\n"
        'r1,2024-05-01 10:00:00,gpt-4o,u1,hash,10,5,0.01,"{""user_api_key_user_email"": ""ana@acme.io""}"\n'
    )

    [row] = litellm.parse([export])["ai_usage"].rows(named=True)

    assert (row["user"], row["input_tokens"], row["cost_usd"], row["event_id"]) == (
        "ana@acme.io",
        10,
        0.01,
        "litellm:r1",
    )


def test_otel_genai_spans(caplog):
    tables = otel.parse([OTEL_FIXTURE])

    trace_a, trace_b = "5b8efff798038103d269b633813fc60c", "0af7651916cd43dd8448eb211c80319c"
    assert tables["ai_usage"].rows() == [
        # input_tokens 1200 include 1000 cache reads; the invoke_agent and execute_tool spans are skipped
        (datetime(2026, 3, 2, 10, 0, 0, 250000, tzinfo=UTC), "dana@acme.io", "support-bot",
         "gpt-4o-mini-2024-07-18", 200, 300, 1000, 0, 1, None, f"otel:{trace_a}:6f0c6a1d2e3b4a59", True),
        # deprecated prompt/completion token attributes, request model only
        (datetime(2026, 3, 2, 10, 0, 3, tzinfo=UTC), "dana@acme.io", "support-bot", "gpt-4.1",
         40, 10, 0, 0, 1, None, f"otel:{trace_a}:0f1e2d3c4b5a6978", True),
        # 5000 input = 500 uncached + 3000 cache reads + 1500 cache writes; user from the resource
        (datetime(2026, 3, 3, 10, 0, 0, 123456, tzinfo=UTC), "lee@acme.io", "review-assistant",
         "claude-sonnet-4-5-20250929", 500, 800, 3000, 1500, 1, None, f"otel:{trace_b}:b7ad6b7169203331", True),
    ]  # fmt: skip


def test_otel_span_without_a_user_is_named(tmp_path):
    export = tmp_path / "traces.jsonl"
    span = (
        '{"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [{"spanId": "ab12",'
        ' "startTimeUnixNano": "1772445600000000000", "attributes": [{"key": "gen_ai.usage.input_tokens",'
        ' "value": {"intValue": "3"}}]}]}]}]}'
    )
    export.write_text(span + "\n")

    with pytest.raises(SourceError, match=r"traces.jsonl: row 1, field 'span ab12': .* no user.email"):
        otel.parse([export])


def test_warnings_go_to_the_sources_logger(samples, caplog):
    caplog.set_level(logging.WARNING, logger="tokenyield.sources")
    cursor.parse([samples / "cursor" / "teams_members_example.json"])
    assert [r.name for r in caplog.records] == ["tokenyield.sources"]
