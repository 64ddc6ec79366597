"""Amazon Q Developer / Kiro CSV reports and GitLab Duo usage events -> exact canonical rows."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from pipelines.sources import amazon_q, gitlab_duo
from pipelines.sources.errors import SourceError


def test_q_developer_older_report_maps_columns_by_name_and_empty_cells_are_zero(samples):
    tables = amazon_q.parse([samples / "amazon-q" / "qdev_by_user_analytic_real_snippet_2025-04-17.csv"])

    day = date(2025, 4, 17)  # written 04-17-2025
    assert tables["ai_activity"].rows() == [
        (day, "xxx", "amazon-q", "chat_requests", 69.0),
        (day, "xxx", "amazon-q", "suggestions", 70.0),
        (day, "xxx", "amazon-q", "acceptances", 49.0),
        (day, "xxx", "amazon-q", "lines_accepted", 49.0),  # 0 chat + 49 inline AI code lines
        (day, "yyy", "amazon-q", "chat_requests", 3.0),
    ]


def test_q_developer_46_column_header_without_rows_imports_nothing(samples):
    assert amazon_q.parse([samples / "amazon-q" / "by_user_analytic_header_46col.csv"]) == {}


def test_kiro_reports_credits_sessions_messages_and_per_model_requests(samples):
    folder = samples / "amazon-q"
    tables = amazon_q.parse(
        [
            folder / "KIRO_CLI_user_report_real_row_2026-07-10.csv",
            folder / "KIRO_IDE_user_report_real_row_2026-07-10.csv",
        ]
    )

    day, who, uid = date(2026, 7, 10), "person1@example.net", "215bb5b0-00a1-70cd-1caf-57794fdc8915"
    assert tables["ai_activity"].rows() == [
        (day, who, "kiro-cli", "credits", 114.45787414391377),
        (day, who, "kiro-cli", "sessions", 8.0),
        (day, who, "kiro-cli", "chat_requests", 131.0),
        (day, who, "kiro-ide", "credits", 0.7132330391376451),
        (day, who, "kiro-ide", "sessions", 2.0),
        (day, who, "kiro-ide", "chat_requests", 4.0),
    ]
    midnight = datetime(2026, 7, 10, tzinfo=UTC)
    assert tables["ai_usage"].rows() == [
        (midnight, who, "kiro-cli", "claude_haiku_4.5", 0, 0, 0, 0, 8, None,
         f"kiro:2026-07-10:{uid}:kiro-cli:claude_haiku_4.5", False),
        (midnight, who, "kiro-cli", "claude_opus_4.8", 0, 0, 0, 0, 123, None,
         f"kiro:2026-07-10:{uid}:kiro-cli:claude_opus_4.8", False),
        (midnight, who, "kiro-ide", "auto", 0, 0, 0, 0, 4, None, f"kiro:2026-07-10:{uid}:kiro-ide:auto", False),
    ]  # fmt: skip
    assert tables["identities"].rows() == [(who, "aws-identity-center", uid)]


def test_q_developer_bad_date_names_file_row_and_column(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("UserId,Date,Chat_MessagesSent\nu1,17/04/2025,3\n")
    with pytest.raises(
        SourceError, match=r"report\.csv: row 1, field 'Date': expected a date like 2026-07-10"
    ):
        amazon_q.parse([path])


def test_gitlab_duo_code_suggestion_events(samples):
    tables = gitlab_duo.parse([samples / "gitlab-duo" / "aiUsageData_codeSuggestionEvents_doc_example.json"])

    day = date(2025, 9, 26)
    assert tables["ai_activity"].rows() == [
        (day, "jasbourne", "gitlab-duo", "suggestions", 1.0),
        (day, "jasbourne", "gitlab-duo", "lines_suggested", 2.0),
        (day, "jasbourne", "gitlab-duo", "rejections", 1.0),
        (day, "jasbourne", "gitlab-duo", "acceptances", 1.0),
        (day, "jasbourne", "gitlab-duo", "lines_accepted", 2.0),
    ]


def test_gitlab_duo_all_events_count_agent_sessions_not_code_review(samples):
    tables = gitlab_duo.parse([samples / "gitlab-duo" / "aiUsageData_all_doc_example.json"])

    assert tables["ai_activity"].rows() == [(date(2025, 9, 26), "jasbourne", "gitlab-duo", "sessions", 1.0)]


def test_gitlab_duo_an_event_in_two_files_counts_once(samples):
    path = samples / "gitlab-duo" / "aiUsageData_codeSuggestionEvents_doc_example.json"
    assert gitlab_duo.parse([path, path])["ai_activity"]["value"].sum() == 7.0  # 3 events + 2 + 2 lines


def test_gitlab_duo_range_totals_and_the_jsonc_doc_example_import_nothing(samples, caplog):
    folder = samples / "gitlab-duo"
    files = [
        folder / "aiMetrics_group_doc_example.jsonc",
        folder / "aiUserMetrics_feature_types_doc_example.json",
    ]
    with caplog.at_level(logging.WARNING, "tokenyield.sources"):
        assert gitlab_duo.parse(files) == {}
    assert caplog.text.count("totals over a range") == 2
