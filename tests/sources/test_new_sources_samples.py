"""Every sample of the new sources that is a response or report as saved imports to these tables.

The four samples that are not (Datadog's transcribed rows, a users page without its day, the
trimmed 2.1.138 metric objects, the wrapper of four Windsurf doc examples) are imported after
rebuilding the saved shape, in their own tests."""

from __future__ import annotations

import pytest

from pipelines.sources import IMPORTERS

CASES = [
    ("claude-enterprise", "claude-enterprise/summaries_doc_example.json", {}),
    ("claude-enterprise", "claude-enterprise/user_cost_report_doc_example.json", {"ai_usage": 1}),
    ("claude-enterprise", "claude-enterprise/user_usage_report_doc_example.json", {"ai_usage": 1}),
    ("codex", "codex/ASSEMBLED_code_review_responses_daily.json", {}),
    ("codex", "codex/ASSEMBLED_code_reviews_daily.json", {}),
    ("codex", "codex/ASSEMBLED_usage_per_user_daily.json", {"ai_usage": 3, "ai_activity": 13}),
    ("claude-code-otel", "claude-code-otel/ASSEMBLED_ExportMetricsServiceRequest_commit_pr_loc_decision.json",
     {"ai_activity": 8}),
    ("claude-code-otel", "claude-code-otel/claude_code_2.1.294_real_ExportLogsServiceRequest_api_request.json",
     {"ai_usage": 1}),
    ("claude-code-otel", "claude-code-otel/claude_code_2.1.294_real_ExportLogsServiceRequest_user_prompt_cut.json", {}),
    ("claude-code-otel", "claude-code-otel/xiplias_production_patterns_metrics.jsonl", {"ai_usage": 3, "ai_activity": 3}),
    ("claude-code-otel", "gemini-cli-otel/ASSEMBLED_ExportMetricsServiceRequest_gemini_cli.json",
     {"ai_usage": 1, "ai_activity": 2}),
    ("claude-code-otel", "gemini-cli-otel/caprock_real_session_telemetry.log", {"ai_usage": 2}),
    ("windsurf", "windsurf/cascade_analytics_doc_example.json", {"ai_activity": 4}),
    ("windsurf", "windsurf/faros_fixtures/autocomplete_analytics.json", {"ai_activity": 2}),
    ("windsurf", "windsurf/faros_fixtures/cascade_lines_analytics.json", {"ai_activity": 4}),
    ("windsurf", "windsurf/faros_fixtures/cascade_runs_analytics.json", {"ai_activity": 4}),
    ("windsurf", "windsurf/faros_fixtures/chat_analytics.json", {"ai_activity": 2}),
    ("windsurf", "windsurf/faros_fixtures/pcw_analytics.json", {}),
    ("windsurf", "windsurf/faros_fixtures/user_page_analytics.json", {"identities": 2}),
    ("windsurf", "windsurf/user_page_analytics_doc_example.json", {"identities": 2}),
    ("windsurf", "windsurf/user_page_analytics_doc_example_older_3users.json", {"identities": 3}),
    ("devin", "devin/beta_v2_enterprise_user_usage_analysis_doc_example.json", {}),
    ("devin", "devin/v2_enterprise_consumption_daily_doc_example.json", {}),
    ("devin", "devin/v2_enterprise_consumption_daily_user_doc_example.json", {"ai_activity": 3}),
    ("devin", "devin/v3_enterprise_consumption_daily_users_doc_example.json", {"ai_activity": 1}),
    ("amazon-q", "amazon-q/KIRO_CLI_user_report_real_row_2026-07-10.csv",
     {"ai_usage": 2, "ai_activity": 3, "identities": 1}),
    ("amazon-q", "amazon-q/KIRO_IDE_user_report_real_row_2026-07-10.csv",
     {"ai_usage": 1, "ai_activity": 3, "identities": 1}),
    ("amazon-q", "amazon-q/by_user_analytic_header_46col.csv", {}),
    ("amazon-q", "amazon-q/qdev_by_user_analytic_real_snippet_2025-04-17.csv", {"ai_activity": 5}),
    ("gitlab-duo", "gitlab-duo/aiMetrics_group_doc_example.jsonc", {}),
    ("gitlab-duo", "gitlab-duo/aiUsageData_all_doc_example.json", {"ai_activity": 1}),
    ("gitlab-duo", "gitlab-duo/aiUsageData_codeSuggestionEvents_doc_example.json", {"ai_activity": 5}),
    ("gitlab-duo", "gitlab-duo/aiUserMetrics_feature_types_doc_example.json", {}),
]  # fmt: skip


@pytest.mark.parametrize(("source", "sample", "heights"), CASES, ids=[c[1] for c in CASES])
def test_sample_imports_to_these_tables(samples, source, sample, heights):
    tables = IMPORTERS[source]([samples / sample], person="dev@example.com")

    assert {table: frame.height for table, frame in tables.items()} == heights
