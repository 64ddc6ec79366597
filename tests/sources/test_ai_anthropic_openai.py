"""Anthropic and OpenAI samples -> exact canonical rows, checked by hand against each sample."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from pipelines.sources import anthropic_claude_code, anthropic_messages, openai
from pipelines.sources.errors import SourceError

AUG_8 = datetime(2025, 8, 8, tzinfo=UTC)
AUG_1 = datetime(2025, 8, 1, tzinfo=UTC)
NOV_1_2024 = datetime(2024, 11, 1, tzinfo=UTC)  # start_time 1730419200


def test_claude_code_report_gives_tokens_and_cents_as_dollars_per_model(samples):
    tables = anthropic_claude_code.parse([samples / "anthropic" / "claude_code_usage_report_example.json"])

    email = "user@emaildomain.com"
    assert tables["ai_usage"].rows() == [
        # estimated_cost.amount 186 and 42 are cents
        (AUG_8, email, "claude-code", "claude-sonnet-4-20250514", 45230, 12450, 8790, 2340, 0, 1.86,
         f"anthropic-claude-code:2025-08-08:{email}:claude-sonnet-4-20250514", True),
        (AUG_8, email, "claude-code", "claude-3-5-haiku-20241022", 23100, 5680, 3420, 890, 0, 0.42,
         f"anthropic-claude-code:2025-08-08:{email}:claude-3-5-haiku-20241022", True),
    ]  # fmt: skip
    day = date(2025, 8, 8)
    assert tables["ai_activity"].rows() == [
        (day, email, "claude-code", "sessions", 15.0),
        (day, email, "claude-code", "lines_added", 342.0),
        (day, email, "claude-code", "lines_removed", 128.0),
        (day, email, "claude-code", "commits", 8.0),
        (day, email, "claude-code", "pull_requests", 2.0),
        (day, email, "claude-code", "acceptances", 50.0),  # 25 + 12 + 5 + 8
        (day, email, "claude-code", "rejections", 6.0),  # 3 + 1 + 2 + 0
    ]


def test_claude_code_records_of_one_actor_and_day_are_summed(tmp_path):
    record = {
        "date": "2025-08-08T00:00:00Z",
        "actor": {"type": "api_actor", "api_key_name": "ci-bot"},
        "model_breakdown": [
            {"model": "m", "tokens": {"input": 1, "output": 2}, "estimated_cost": {"amount": 5}}
        ],
        "core_metrics": {"num_sessions": 1},
    }
    page = tmp_path / "page.jsonl"
    page.write_text("\n".join([json.dumps(record)] * 2))

    tables = anthropic_claude_code.parse([page])

    assert tables["ai_usage"].select("user", "input_tokens", "output_tokens", "cost_usd").rows() == [
        ("ci-bot", 2, 4, 0.1)
    ]
    assert tables["ai_activity"].rows() == [(date(2025, 8, 8), "ci-bot", "claude-code", "sessions", 2.0)]


def test_messages_usage_report_by_api_key(samples):
    tables = anthropic_messages.parse([samples / "anthropic" / "messages_usage_report_example.json"])

    key = "apikey_01Rj2N8SVvo6BePZj99NhmiT"
    assert tables["ai_usage"].rows() == [
        # uncached 1500 input; cache writes 1000 (1h) + 500 (5m); 200 cache reads
        (AUG_1, key, "anthropic-api", "claude-sonnet-4-20250514", 1500, 500, 200, 1500, 0, None,
         f"anthropic-messages:2025-08-01T00:00:00+00:00:{key}:::wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
         ":claude-sonnet-4-20250514:standard:0-200k:", True),
    ]  # fmt: skip


def test_cost_report_gives_cost_only_rows_for_the_workspace(samples):
    tables = anthropic_messages.parse([samples / "anthropic" / "cost_report_example.json"])

    [row] = tables["ai_usage"].rows(named=True)
    assert (row["user"], row["model"], row["cost_usd"], row["tokens_reported"]) == (
        "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ", "claude-sonnet-4-20250514", 1.2378912, False  # "123.78912" cents
    )  # fmt: skip
    assert (row["input_tokens"], row["output_tokens"], row["requests"], row["occurred_at"]) == (
        0,
        0,
        0,
        AUG_1,
    )


def test_an_ungrouped_messages_report_stays_unattributed_and_says_how_to_group(tmp_path, caplog):
    page = tmp_path / "usage.json"
    page.write_text('{"data": [{"starting_at": "2025-08-01T00:00:00Z", "results": [{"output_tokens": 1}]}]}')

    tables = anthropic_messages.parse([page])

    assert tables["ai_usage"].select("user", "output_tokens").rows() == [("unattributed", 1)]
    assert "group_by[]=api_key_id&group_by[]=account_id" in caplog.text


def test_console_usage_without_an_api_key_is_attributed_to_its_account(samples):
    path = (
        samples / "anthropic-messages" / "ASSEMBLED_messages_usage_report_group_by_account_id_api_key_id.json"
    )

    tables = anthropic_messages.parse([path])

    key, account = "apikey_01Rj2N8SVvo6BePZj99NhmiT", "user_01WCz1FkmYMm4gnmykNKUu3Q"
    aug_2 = datetime(2025, 8, 2, tzinfo=UTC)
    columns = (
        "occurred_at",
        "user",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
    )
    assert tables["ai_usage"].select(columns).rows() == [
        (AUG_1, key, 1500, 500, 200, 1500),
        (AUG_1, account, 8700, 2900, 41000, 3200),  # api_key_id null: Console usage
        (aug_2, key, 2100, 700, 900, 1200),
        (aug_2, account, 5100, 1400, 22500, 1800),
    ]  # the third bucket is empty: no row


def test_the_2026_report_keeps_the_key_as_user_and_the_account_in_the_event(samples):
    tables = anthropic_messages.parse(
        [samples / "anthropic-messages" / "messages_usage_report_doc_example_2026.json"]
    )

    [row] = tables["ai_usage"].rows(named=True)
    assert (row["user"], row["model"], row["input_tokens"], row["cache_write_tokens"]) == (
        "apikey_01Rj2N8SVvo6BePZj99NhmiT", "claude-opus-5", 1500, 1500
    )  # fmt: skip
    assert "user_01WCz1FkmYMm4gnmykNKUu3Q" in row["event_id"]


def test_openai_completions_page_splits_cached_input(samples):
    tables = openai.parse([samples / "openai" / "usage_completions_page_example.json"])

    assert tables["ai_usage"].rows() == [
        # input_tokens 1000 include 800 cached; not grouped, so no user
        (NOV_1_2024, "unattributed", "openai-api", "unknown", 200, 500, 800, 0, 5, None,
         "openai:2024-11-01T00:00:00+00:00::::::", True),
    ]  # fmt: skip


def test_openai_result_object_fields(samples):
    result = json.loads((samples / "openai" / "usage_completions_result_object_example.json").read_text())

    row = openai.result_row(result, NOV_1_2024, {"user-abc": "ana@acme.io"})

    assert row == {
        "occurred_at": NOV_1_2024, "user": "ana@acme.io", "tool": "openai-api",
        "model": "gpt-4o-mini-2024-07-18", "input_tokens": 1000, "output_tokens": 1000,
        "cache_read_tokens": 4000, "cache_write_tokens": 0, "requests": 5, "cost_usd": None,
        "event_id": "openai:2024-11-01T00:00:00+00:00:user-abc:key_abc:proj_abc:gpt-4o-mini-2024-07-18:False:",
        "tokens_reported": True,
    }  # fmt: skip
    with pytest.raises(SourceError, match="a single usage result has no time"):
        openai.parse([samples / "openai" / "usage_completions_result_object_example.json"])


def test_openai_costs_page(samples):
    tables = openai.parse([samples / "openai" / "costs_page_example.json"])

    assert tables["ai_usage"].rows() == [
        (NOV_1_2024, "unattributed", "openai-api", "unknown", 0, 0, 0, 0, 0, 0.06,
         "openai-cost:2024-11-01T00:00:00+00:00::", False),
    ]  # fmt: skip


def test_openai_users_give_identities_and_emails_for_usage(samples, tmp_path):
    page = tmp_path / "usage.json"
    page.write_text(
        '{"object": "page", "data": [{"start_time": 1730419200, "results": [{"input_tokens": 10,'
        ' "output_tokens": 2, "num_model_requests": 1, "user_id": "user_abc", "model": "gpt-4o"}]}]}'
    )

    tables = openai.parse([samples / "openai" / "organization_users_list_example.json", page])

    assert tables["identities"].rows() == [("user@example.com", "openai", "user_abc")]
    assert tables["ai_usage"]["user"].to_list() == ["user@example.com"]
