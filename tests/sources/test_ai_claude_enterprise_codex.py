"""Claude Enterprise Analytics and Codex enterprise analytics samples -> exact canonical rows."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest

from pipelines.sources import claude_enterprise, codex
from pipelines.sources.errors import SourceError


def test_claude_enterprise_usage_and_cost_pages_join_by_day_user_product_model(samples, tmp_path):
    folder = samples / "claude-enterprise"
    usage = json.loads((folder / "user_usage_report_doc_example.json").read_text())
    cost = json.loads((folder / "user_cost_report_doc_example.json").read_text())
    # the doc examples use placeholder model/product strings; give the cost row the usage row's
    cost["data"][0].update(model="model", product="product")
    (tmp_path / "usage.json").write_text(json.dumps(usage))
    (tmp_path / "cost.json").write_text(json.dumps(cost))

    tables = claude_enterprise.parse([tmp_path / "usage.json", tmp_path / "cost.json"])

    day = datetime(2019, 12, 27, tzinfo=UTC)
    assert tables["ai_usage"].rows() == [
        # uncached 1,284,500 in, 891,000 out, 3,200,000 cache reads, 1,000 + 500 cache writes;
        # amount "41280.000000" is in cents
        (day, "jane@example.com", "claude-product", "model", 1284500, 891000, 3200000, 1500, 128, 412.8,
         "claude-enterprise:2019-12-27:jane@example.com:claude-product:model", True),
    ]  # fmt: skip


def test_claude_enterprise_cost_alone_is_a_cost_only_row(samples):
    tables = claude_enterprise.parse([samples / "claude-enterprise" / "user_cost_report_doc_example.json"])

    assert tables["ai_usage"].rows() == [
        (datetime(2019, 12, 27, tzinfo=UTC), "jane@example.com", "claude-chat", "claude-opus-5", 0, 0, 0, 0, 0,
         412.8, "claude-enterprise-cost:2019-12-27:jane@example.com:claude-chat:claude-opus-5", False),
    ]  # fmt: skip


def test_claude_enterprise_users_page_takes_its_day_from_the_file_name(samples, tmp_path):
    rows = json.loads((samples / "claude-enterprise" / "datadog_integration_test_rows.json").read_text())
    page = tmp_path / "users_2026-03-02.json"
    page.write_text(json.dumps({"data": rows["users_rows"], "next_page": None}))

    tables = claude_enterprise.parse([page])

    day, alice = date(2026, 3, 2), "alice@example.com"
    assert tables["ai_activity"].rows() == [
        (day, alice, "claude-code", "sessions", 22.0),
        (day, alice, "claude-code", "lines_added", 1757.0),
        (day, alice, "claude-code", "lines_removed", 669.0),
        (day, alice, "claude-code", "commits", 3.0),
        (day, alice, "claude-code", "pull_requests", 1.0),
        (day, alice, "claude-code", "acceptances", 101.0),  # edit 90 + write 11; "broken" is not an action
        (day, alice, "claude-code", "rejections", 2.0),
        (day, alice, "claude-chat", "chat_requests", 12.0),
    ]  # bob has no activity: no rows


def test_claude_enterprise_users_doc_example_is_all_zero(samples, tmp_path):
    page = tmp_path / "users_2026-01-05.json"
    page.write_text((samples / "claude-enterprise" / "users_list_doc_example.json").read_text())

    assert claude_enterprise.parse([page]) == {}


def test_claude_enterprise_users_page_without_a_day_is_refused(samples):
    with pytest.raises(SourceError, match=r"users_list_doc_example\.json: a users page carries no date"):
        claude_enterprise.parse([samples / "claude-enterprise" / "users_list_doc_example.json"])


def test_claude_enterprise_summaries_hold_no_person(samples, caplog):
    with caplog.at_level(logging.WARNING, "tokenyield.sources"):
        assert claude_enterprise.parse([samples / "claude-enterprise" / "summaries_doc_example.json"]) == {}
    assert "org-wide counts" in caplog.text


def test_claude_enterprise_usage_row_without_a_bucket_is_refused(tmp_path):
    page = tmp_path / "usage.json"
    page.write_text(json.dumps({"data": [{"actor": {"email": "a@x.io"}, "output_tokens": 5}]}))

    with pytest.raises(
        SourceError, match=r"usage\.json: row 1: no starting_at: export the report with bucket_width=1d"
    ):
        claude_enterprise.parse([page])


def test_codex_usage_is_tokens_per_user_day_and_credits_stay_credits(samples):
    tables = codex.parse([samples / "codex" / "ASSEMBLED_usage_per_user_daily.json"])

    may_11, may_12 = datetime(2026, 5, 11, tzinfo=UTC), datetime(2026, 5, 12, tzinfo=UTC)
    dev1, bob = "dev1@example.com", "user-BBBBBBBBBBBBBBBBBBBBBBBB"  # bob's email is hidden
    assert tables["ai_usage"].rows() == [
        (may_11, dev1, "codex", "gpt-5.4", 410220, 61840, 2388100, 0, 31, 5.7,
         "codex:2026-05-11:user-AAAAAAAAAAAAAAAAAAAAAAAA", True),
        (may_11, bob, "codex", "gpt-5.4", 30110, 4210, 88000, 0, 3, 0.36, f"codex:2026-05-11:{bob}", True),
        (may_12, dev1, "codex", "gpt-5.4", 120400, 20950, 701300, 0, 12, 1.92,
         "codex:2026-05-12:user-AAAAAAAAAAAAAAAAAAAAAAAA", True),
    ]  # fmt: skip
    activity = {(r[0].day, r[1], r[3]): r[4] for r in tables["ai_activity"].rows()}
    assert activity == {
        (11, dev1, "credits"): 142.5, (11, dev1, "sessions"): 6.0, (11, dev1, "chat_requests"): 31.0,
        (11, dev1, "lines_added"): 812.0, (11, dev1, "lines_removed"): 133.0,
        (11, bob, "credits"): 9.0, (11, bob, "sessions"): 1.0, (11, bob, "chat_requests"): 3.0,
        (12, dev1, "credits"): 48.0, (12, dev1, "sessions"): 3.0, (12, dev1, "chat_requests"): 12.0,
        (12, dev1, "lines_added"): 240.0, (12, dev1, "lines_removed"): 61.0,
    }  # fmt: skip


def test_codex_code_review_pages_are_workspace_totals(samples, caplog):
    files = [samples / "codex" / f"ASSEMBLED_code_review{s}_daily.json" for s in ("s", "_responses")]
    with caplog.at_level(logging.WARNING, "tokenyield.sources"):
        assert codex.parse(files) == {}
    assert caplog.text.count("no per-person usage") == 2


def test_codex_row_without_a_user_names_the_row(tmp_path):
    page = tmp_path / "usage.json"
    page.write_text(json.dumps({"data": [{"start_time": 1778457600, "actor": {}, "totals": {}}]}))

    with pytest.raises(SourceError, match=r"usage\.json: row 1: needs a start_time and a user_id"):
        codex.parse([page])
