"""The Jira importer on the real samples (DevLake issues/users/changelogs, a Cloud CSV export)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources import jira
from pipelines.sources.canonical import conform
from pipelines.sources.output_common import OutputParseError

EXPECTED = Path(__file__).parents[1] / "fixtures" / "output" / "expected"
EXPORT = "jira/demo-insureco-jira.csv"


def expected(name: str) -> pl.DataFrame:
    return conform("tickets", pl.read_csv(EXPECTED / name, infer_schema=False))


def test_devlake_issues_give_the_hand_checked_rows(samples):
    path = samples / "jira/devlake/_raw_jira_api_issues.csv"

    tables = jira.parse([path])

    assert_frame_equal(tables["tickets"], expected("jira_devlake_tickets.csv"))
    with path.open(newline="", encoding="utf-8") as handle:
        items = [json.loads(row["data"]) for row in csv.DictReader(handle)]
    resolved = [i for i in items if i["fields"]["resolutiondate"]]
    assert len(items) == 33 and len(resolved) == 30  # the sample's own numbers
    tickets = tables["tickets"]
    assert tickets["resolved_at"].is_not_null().sum() == 30
    assert tickets.filter(pl.col("ticket_id") == "EE-1").row(0) == (
        "EE-1",
        "5ecfbd0c730ec90c1999cadf",  # Jira Cloud hides the email: the account id
        datetime(2020, 6, 12, 0, 13, 13, 360000, tzinfo=UTC),  # 2020-06-12T08:13:13.360+0800
        datetime(2020, 6, 19, 6, 31, 18, 495000, tzinfo=UTC),
        "故事",
        "已完成",
        None,  # Jira has no agent delegation
    )
    assert tickets.filter(pl.col("assignee").is_null())["ticket_id"].to_list() == ["K5-2", "K5-3", "K5-4"]
    # a reporter/creator shows an email: that account id -> email pair becomes an identity
    assert tables["identities"].rows() == [("keon.amini@merico.dev", "jira", "62a2d08d1be00a0068af1945")]


def test_the_derived_json_array_gives_the_same_rows_as_the_csv(samples):
    from_json = jira.parse([samples / "jira/devlake/DERIVED_issues_items.json"])
    from_csv = jira.parse([samples / "jira/devlake/_raw_jira_api_issues.csv"])

    assert_frame_equal(from_json["tickets"], from_csv["tickets"])


def test_users_and_changelog_authors_give_account_email_pairs(samples):
    users = jira.parse([samples / "jira/devlake/_raw_jira_api_users.csv"])["identities"]
    authors = jira.parse([samples / "jira/devlake/_raw_jira_api_issue_changelogs.csv"])["identities"]

    assert users.rows() == [
        ("cong.wang@merico.dev", "jira", "5fa8b6d142ab3b006eaa6f42"),
        ("runju.huang@merico.dev", "jira", "5fb48fe20d2f61006f0d0106"),
    ]
    assert authors.rows() == [("runju.huang@merico.dev", "jira", "5fb48fe20d2f61006f0d0106")]


def test_the_cloud_csv_export_gives_its_ten_issues(samples):
    tickets = jira.parse([samples / EXPORT])["tickets"]

    assert_frame_equal(tickets, expected("jira_insureco_export_tickets.csv"))
    assert tickets.select("ticket_id", "assignee", "created_at", "status").rows()[:2] == [
        ("DI-111", None, datetime(2026, 2, 19, 18, 46, tzinfo=UTC), "To Do"),  # 19/Feb/26 6:46 PM
        (
            "DI-123",
            "712020:dbd660ad-a6f9-46c6-ba6d-12d60b31a247",
            datetime(2026, 2, 25, 15, 51, tzinfo=UTC),
            "In Progress",
        ),
    ]


def test_export_dates_are_read_in_the_exporting_users_time_zone(samples, monkeypatch):
    in_option = jira.parse([samples / EXPORT], timezone="America/New_York")["tickets"]
    monkeypatch.setenv("TOKENYIELD_JIRA_TIMEZONE", "Europe/Paris")
    in_env = jira.parse([samples / EXPORT])["tickets"]

    assert in_option["created_at"][0] == datetime(2026, 2, 19, 23, 46, tzinfo=UTC)  # 6:46 PM EST
    assert in_env["created_at"][0] == datetime(2026, 2, 19, 17, 46, tzinfo=UTC)  # 6:46 PM CET


def write_export(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "jira.csv"
    header = "Summary,Issue key,Issue Type,Status,Assignee,Assignee Id,Created,Resolved,Sprint,Sprint"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_repeated_headers_and_email_assignees(tmp_path):
    path = write_export(
        tmp_path,
        "Fix login,PAY-7,Bug,Done,ana@acme.io,5b10ac8d82e05b22cc7d4ef5,01/Mar/26 9:05 AM,02/Mar/26 5:30 PM,S1,S2",
        "Plan,PAY-8,Task,To Do,Ana Lima,5b10ac8d82e05b22cc7d4ef5,01/Mar/2026 11:00 AM,,S2,",
    )

    assert jira.parse([path])["tickets"].rows() == [
        (
            "PAY-7",
            "ana@acme.io",
            datetime(2026, 3, 1, 9, 5, tzinfo=UTC),
            datetime(2026, 3, 2, 17, 30, tzinfo=UTC),
            "Bug",
            "Done",
            None,
        ),
        (
            "PAY-8",
            "5b10ac8d82e05b22cc7d4ef5",
            datetime(2026, 3, 1, 11, tzinfo=UTC),
            None,
            "Task",
            "To Do",
            None,
        ),
    ]


def test_a_bad_export_date_names_file_row_column_and_format(tmp_path):
    path = write_export(
        tmp_path, "A,PAY-1,Bug,Done,,,01/Mar/26 9:05 AM,,,", "B,PAY-2,Bug,Done,,,2026/03/01,,,"
    )

    with pytest.raises(OutputParseError) as caught:
        jira.parse([path])

    assert str(caught.value) == (
        f"{path}: row 2, field 'Created': expected a Jira date like 25/Feb/26 10:17 PM, got '2026/03/01'"
    )


def test_a_row_longer_than_the_header_is_refused(tmp_path):
    path = write_export(tmp_path, "A,PAY-1,Bug,Done,,,01/Mar/26 9:05 AM,,,,extra")

    with pytest.raises(OutputParseError, match=r"row 1: expected 10 fields like the header, got 11"):
        jira.parse([path])


def test_a_rest_search_page_prefers_the_assignee_email(tmp_path):
    issue = {
        "key": "WEB-3",
        "fields": {
            "assignee": {"accountId": "abc123", "emailAddress": "li@acme.io", "displayName": "Li"},
            "created": "2026-03-02T09:00:00.000+0100",
            "updated": "2026-03-04T09:00:00.000+0100",
            "resolutiondate": "2026-03-04T09:00:00.000+0100",
            "issuetype": {"name": "Story"},
            "status": {"name": "Done"},
        },
    }
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"startAt": 0, "maxResults": 50, "total": 1, "issues": [issue]}))

    tables = jira.parse([path])

    assert tables["tickets"].rows() == [
        (
            "WEB-3",
            "li@acme.io",
            datetime(2026, 3, 2, 8, tzinfo=UTC),
            datetime(2026, 3, 4, 8, tzinfo=UTC),
            "Story",
            "Done",
            None,
        )
    ]
    assert tables["identities"].rows() == [("li@acme.io", "jira", "abc123")]
