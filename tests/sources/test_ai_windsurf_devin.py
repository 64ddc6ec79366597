"""Windsurf Analytics and Devin consumption samples -> exact canonical rows (credits and ACUs stay
in their own units)."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from pipelines.sources import devin, windsurf
from pipelines.sources.errors import SourceError


def test_windsurf_user_page_maps_api_keys_to_emails(samples):
    tables = windsurf.parse([samples / "windsurf" / "user_page_analytics_doc_example_older_3users.json"])

    assert tables["identities"].rows() == [
        ("alice@windsurf.com", "windsurf", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"),
        ("bob@windsurf.com", "windsurf", "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"),
        ("charlie@windsurf.com", "windsurf", "cccccccc-cccc-cccc-cccc-cccccccccccc"),
    ]
    assert "ai_activity" not in tables  # activeDays covers a billing cycle, not a day


def test_windsurf_cascade_lines_and_runs_for_one_person(samples):
    folder = samples / "windsurf"
    files = [
        folder / "cascade_analytics_doc_example.json",
        folder / "faros_fixtures" / "cascade_runs_analytics.json",
    ]
    tables = windsurf.parse(files, person="dev@x.io")

    dev = "dev@x.io"
    assert tables["ai_activity"].rows() == [
        (date(2025, 5, 1), dev, "windsurf", "lines_suggested", 206.0),
        (date(2025, 5, 1), dev, "windsurf", "lines_accepted", 157.0),
        (date(2025, 5, 2), dev, "windsurf", "lines_suggested", 16.0),
        (date(2025, 5, 1), dev, "windsurf", "chat_requests", 1.0),  # the doc example has no promptsUsed
        (date(2024, 1, 15), dev, "windsurf", "chat_requests", 5.0),
        (date(2024, 1, 15), dev, "windsurf", "credits", 0.03),  # promptsUsed "3" = 3/100 credit
        (date(2024, 1, 16), dev, "windsurf", "chat_requests", 8.0),
        (date(2024, 1, 16), dev, "windsurf", "credits", 0.06),
    ]


def test_windsurf_cascade_without_a_person_is_refused(samples):
    with pytest.raises(
        SourceError, match=r"cascade_lines_analytics\.json: a CascadeAnalytics response names no user"
    ):
        windsurf.parse([samples / "windsurf" / "faros_fixtures" / "cascade_lines_analytics.json"])


def test_windsurf_custom_analytics_rows_by_api_key_and_date(samples):
    folder = samples / "windsurf" / "faros_fixtures"
    tables = windsurf.parse([folder / "autocomplete_analytics.json", folder / "chat_analytics.json"])

    key, day = "hashed_api_key_123", date(2024, 1, 15)
    assert tables["ai_activity"].rows() == [
        (day, key, "windsurf", "acceptances", 45.0),
        (day, key, "windsurf", "lines_accepted", 430.0),  # 280 autocomplete + 150 chat lines used
        (day, key, "windsurf", "chat_requests", 25.0),
    ]


def test_windsurf_team_totals_without_dates_are_skipped(samples, tmp_path, caplog):
    examples = json.loads((samples / "windsurf" / "custom_analytics_doc_examples.json").read_text())
    paths = []
    for number, response in enumerate(examples.values()):
        paths.append(tmp_path / f"{number}.json")
        paths[-1].write_text(json.dumps(response))

    with caplog.at_level(logging.WARNING, "tokenyield.sources"):
        assert windsurf.parse(paths) == {}
    assert caplog.text.count("have no date or user") == 4


def test_devin_user_daily_consumption_is_acus(samples):
    path = samples / "devin" / "v2_enterprise_consumption_daily_user_doc_example.json"
    tables = devin.parse([path], person="user_123")

    assert tables["ai_activity"].rows() == [
        (date(2024, 1, 1), "user_123", "devin", "acus", 50.0),
        (date(2024, 1, 2), "user_123", "devin", "acus", 125.5),
        (date(2024, 1, 3), "user_123", "devin", "acus", 150.0),
    ]
    assert "ai_usage" not in tables  # ACUs are never turned into tokens


def test_devin_v3_list_shape_reads_unix_seconds(samples):
    path = samples / "devin" / "v3_enterprise_consumption_daily_users_doc_example.json"
    tables = devin.parse([path], person="user_123")

    # the generated example's placeholder date 123 is 1970-01-01 in Unix seconds
    assert tables["ai_activity"].rows() == [(date(1970, 1, 1), "user_123", "devin", "acus", 123.0)]


def test_devin_user_consumption_needs_a_person(samples):
    path = samples / "devin" / "v2_enterprise_consumption_daily_user_doc_example.json"
    with pytest.raises(SourceError, match=r"names no user: import it with --person USER_ID"):
        devin.parse([path])


def test_devin_enterprise_totals_and_obfuscated_emails_import_nothing(samples, caplog):
    folder = samples / "devin"
    files = [
        folder / "v2_enterprise_consumption_daily_doc_example.json",
        folder / "beta_v2_enterprise_user_usage_analysis_doc_example.json",  # emails are "[email protected]"
    ]
    with caplog.at_level(logging.WARNING, "tokenyield.sources"):
        assert devin.parse(files) == {}
    assert "hold no days" in caplog.text
    assert "2 users have no usable email" in caplog.text


def test_devin_user_usage_with_emails_gives_identities(tmp_path):
    page = tmp_path / "users.json"
    page.write_text(json.dumps({"items": [{"user_id": "user_9", "email": "ann@x.io"}], "has_more": False}))

    assert devin.parse([page])["identities"].rows() == [("ann@x.io", "devin", "user_9")]


def test_windsurf_user_without_an_api_key_is_left_out(tmp_path, caplog):
    page = tmp_path / "users.json"
    users = [
        {"email": "a@x.io", "apiKey": "k1"},
        {"email": "invited@x.io", "teamStatus": "USER_TEAM_STATUS_PENDING"},
    ]
    page.write_text(json.dumps({"userTableStats": users}))

    with caplog.at_level(logging.WARNING, "tokenyield.sources"):
        tables = windsurf.parse([page])

    assert tables["identities"].rows() == [("a@x.io", "windsurf", "k1")]
    assert "1 users have no email or apiKey" in caplog.text
