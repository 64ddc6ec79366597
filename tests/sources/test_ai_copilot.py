"""GitHub Copilot samples -> canonical rows, checked by hand against each sample's own numbers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources import copilot
from pipelines.sources.errors import SourceError


def midnight(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.fixture
def gh(samples):
    return samples / "github_copilot"


def activity_of(tables: dict, user: str, day: str) -> dict[str, float]:
    rows = tables["ai_activity"].filter(
        (pl.col("user") == user) & (pl.col("occurred_on") == date.fromisoformat(day))
    )
    return dict(rows.select("metric", "value").rows())


def test_users_1_day_report_cli_tokens_and_activity(gh):
    tables = copilot.parse([gh / "viewer" / "new-api__organization-users-1-day-report.json"])

    day = midnight("2026-04-25")
    assert tables["ai_usage"].rows() == [
        # Copilot CLI reports tokens; both users ran it on one model only
        (day, "hubot", "copilot", "claude-sonnet-4.6", 23229028, 121157, 0, 0, 187, None,
         "copilot-cli:2026-04-25:hubot", True),
        (day, "octocat", "copilot", "claude-sonnet-4.6", 616618, 626901, 0, 0, 31, None,
         "copilot-cli:2026-04-25:octocat", True),
    ]  # fmt: skip
    assert activity_of(tables, "hubot", "2026-04-25") == {
        "suggestions": 25.0, "acceptances": 24.0, "lines_added": 435.0, "lines_removed": 29.0,
        "chat_requests": 24.0, "sessions": 2.0, "used_cli": 1.0, "credits": 2.5,
    }  # fmt: skip
    assert activity_of(tables, "octocat", "2026-04-25") == {"sessions": 16.0, "used_cli": 1.0, "credits": 5.0}


def test_enterprise_users_1_day_report_requests_per_model(gh):
    tables = copilot.parse([gh / "viewer" / "new-api__enterprise-users-1-day-report.json"])

    day = midnight("2026-03-03")
    assert tables["ai_usage"].rows() == [
        # code completion: its 40 generations; ask mode: its 18 prompts
        (day, "octocat", "copilot", "auto", 0, 0, 0, 0, 40, None, "copilot:2026-03-03:octocat:auto", False),
        (day, "octocat", "copilot", "claude-4.5-sonnet", 0, 0, 0, 0, 18, None,
         "copilot:2026-03-03:octocat:claude-4.5-sonnet", False),
    ]  # fmt: skip
    assert activity_of(tables, "octocat", "2026-03-03") == {
        "suggestions": 55.0, "acceptances": 38.0, "lines_suggested": 220.0, "lines_added": 145.0,
        "lines_removed": 4.0, "chat_requests": 18.0, "credits": 3.7,
    }  # fmt: skip


def test_users_28_day_report(gh):
    tables = copilot.parse([gh / "viewer" / "new-api__organization-users-28-day-report.json"])

    usage, activity = tables["ai_usage"], tables["ai_activity"]
    # the first record: defunkt on 2026-03-30, 8 + 2 prompts to gpt-5.4 in two chat modes
    assert usage.filter(pl.col("event_id").str.starts_with("copilot:2026-03-30:defunkt")).rows() == [
        (midnight("2026-03-30"), "defunkt", "copilot", "gpt-5.4", 0, 0, 0, 0, 10, None,
         "copilot:2026-03-30:defunkt:gpt-5.4", False),
    ]  # fmt: skip
    assert activity_of(tables, "defunkt", "2026-03-30") == {
        "suggestions": 11.0, "lines_suggested": 19.0, "chat_requests": 10.0, "used_agent": 1.0, "used_chat": 1.0,
        "credits": 1.1,
    }  # fmt: skip
    # sample-wide sums: 107 user-days over 8 logins, 51 with CLI token usage
    assert activity["user"].n_unique() == 8
    cli = usage.filter(pl.col("event_id").str.starts_with("copilot-cli:"))
    assert (cli.height, cli["input_tokens"].sum(), cli["output_tokens"].sum()) == (51, 1327259411, 6594915)
    totals = dict(activity.group_by("metric").agg(pl.col("value").sum()).rows())
    assert totals["lines_added"] == 100878
    assert totals["acceptances"] == 3630
    assert totals["credits"] == pytest.approx(4014.09)
    # the flags, one row per user-day they are true: agent mode, chat, CLI, the coding agent
    # (used_copilot_coding_agent or used_copilot_cloud_agent)
    flags = {m: totals[m] for m in ("used_agent", "used_chat", "used_cli", "used_coding_agent")}
    assert flags == {"used_agent": 39, "used_chat": 70, "used_cli": 51, "used_coding_agent": 5}
    assert flags["used_cli"] == cli.height  # every CLI user-day reported its tokens
    assert (usage.height, activity.height) == (147, 588 + 165)


def test_ndjson_and_json_wrapper_give_the_same_rows(gh):
    from_json = copilot.parse([gh / "viewer" / "new-api__organization-users-28-day-report.json"])
    from_ndjson = copilot.parse([gh / "viewer" / "DERIVED_organization-users-28-day-report.ndjson"])

    for table in ("ai_usage", "ai_activity"):
        assert_frame_equal(from_json[table], from_ndjson[table])


def test_enterprise_users_28_day_totals_fall_on_the_first_day(gh):
    tables = copilot.parse([gh / "viewer" / "new-api__enterprise-users-28-day-report.json"])

    octocat = tables["ai_usage"].filter(pl.col("user") == "octocat")
    # code completion 800 generations; ask mode 180 prompts; agent mode 100; agent_edit has none
    assert octocat.select("occurred_at", "model", "requests").rows() == [
        (midnight("2026-02-04"), "auto", 800),
        (midnight("2026-02-04"), "claude-4.5-sonnet", 180),
        (midnight("2026-02-04"), "claude-opus-4.5", 100),
    ]
    assert activity_of(tables, "octocat", "2026-02-04")["credits"] == 54.45
    assert (tables["ai_usage"].height, tables["ai_activity"].height) == (16, 56)


def test_user_level_docs_example(gh):
    tables = copilot.parse([gh / "docs" / "usage_metrics_user_level_example.json"])

    assert tables["ai_usage"].rows() == [
        # CLI tokens without a per-model breakdown: model unknown (counted, unpriced)
        (midnight("2025-10-01"), "login1", "copilot", "unknown", 3800, 5000, 0, 0, 2, None,
         "copilot-cli:2025-10-01:login1", True),
    ]  # fmt: skip
    assert activity_of(tables, "login1", "2025-10-01") == {
        "suggestions": 1.0, "acceptances": 1.0, "lines_suggested": 10.0, "lines_added": 8.0, "sessions": 2.0,
        "used_cli": 1.0,
    }  # fmt: skip


ORG = "copilot:org:100000001"


@pytest.mark.parametrize(
    ("name", "user", "day", "expected", "rows"),
    [
        ("viewer/new-api__organization-28-day-report.json", ORG, "2026-04-16",
         {"suggestions": 182.0, "acceptances": 155.0, "lines_suggested": 14.0, "lines_added": 2172.0,
          "lines_removed": 852.0, "chat_requests": 111.0, "copilot_prs_created": 1.0, "copilot_prs_merged": 2.0},
         127),
        ("viewer/new-api__organization-1-day-report.json", ORG, "2026-04-25",
         {"suggestions": 25.0, "acceptances": 24.0, "lines_added": 435.0, "lines_removed": 29.0,
          "chat_requests": 24.0}, 5),
        ("viewer/new-api__enterprise-28-day-report.json", ORG, "2026-02-04",
         {"suggestions": 451.0, "acceptances": 40.0, "lines_suggested": 1513.0, "lines_added": 6610.0,
          "lines_removed": 992.0, "chat_requests": 153.0}, 148),
        ("docs/usage_metrics_enterprise_level_example.json", "copilot:enterprise:2", "2025-10-01",
         {"suggestions": 2.0, "acceptances": 1.0, "lines_suggested": 40.0, "lines_added": 38.0}, 10),
        ("devlake/_raw_copilot_metrics.csv", "copilot:org:octodemo", "2025-09-02",
         {"suggestions": 200.0, "acceptances": 40.0, "lines_suggested": 500.0, "lines_added": 200.0}, 8),
        # legacy /copilot/metrics: sums over editors, models and languages; chats in IDE and github.com
        ("ms_dashboard/TestData_metrics.json", "copilot:organization", "2024-06-24",
         {"suggestions": 989.0, "acceptances": 499.0, "lines_suggested": 1042.0, "lines_accepted": 538.0,
          "chat_requests": 93.0}, 5),
        ("viewer/organization_metrics_response_sample.json", "copilot:organization", "2024-11-04",
         {"suggestions": 21.0, "acceptances": 11.0, "lines_suggested": 82.0, "lines_accepted": 20.0,
          "chat_requests": 44.0}, 97),
        ("viewer/enterprise_metrics_response_sample.json", "copilot:organization", "2024-11-04",
         {"suggestions": 21.0, "acceptances": 11.0, "lines_suggested": 82.0, "lines_accepted": 20.0,
          "chat_requests": 44.0}, 97),
        # legacy /copilot/usage day totals
        ("viewer/organization_usage_response_sample.json", "copilot:organization", "2024-03-18",
         {"suggestions": 8312.0, "acceptances": 2009.0, "lines_suggested": 35290.0, "lines_accepted": 5038.0,
          "chat_requests": 190.0}, 120),
        ("viewer/enterprise_usage_response_sample.json", "copilot:organization", "2024-03-30",
         {"suggestions": 6000.0, "acceptances": 1523.0, "lines_suggested": 15540.0, "lines_accepted": 2709.0},
         107),
    ],
)  # fmt: skip
def test_organization_reports_are_attributed_to_the_org_scope(gh, name, user, day, expected, rows):
    tables = copilot.parse([gh / name])

    assert "ai_usage" not in tables
    assert activity_of(tables, user, day) == expected
    assert tables["ai_activity"].height == rows


def test_billing_usage_csv(gh):
    tables = copilot.parse([gh / "viewer" / "billing-credit-usage.real.csv"])

    usage = tables["ai_usage"]
    assert usage.head(2).rows() == [
        (midnight("2026-05-27"), "Tdblackston0", "copilot", "Auto: Claude Haiku 4.5", 0, 0, 0, 0, 0,
         0.036000000000000004,
         "copilot-billing:2026-05-27:Tdblackston0:copilot_premium_request:Auto: Claude Haiku 4.5:ms-mfg-community::",
         False),
        (midnight("2026-05-27"), "lluppesms", "copilot", "Auto: Claude Haiku 4.5", 0, 0, 0, 0, 0,
         0.036000000000000004,
         "copilot-billing:2026-05-27:lluppesms:copilot_premium_request:Auto: Claude Haiku 4.5:ms-mfg-community::",
         False),
    ]  # fmt: skip
    # 123 lines, 2 users, gross amounts sum to $710.514321; AI credits only on ai-credits lines
    assert (usage.height, usage["cost_usd"].sum()) == (123, pytest.approx(710.514321))
    assert sorted(usage["user"].unique()) == ["Tdblackston0", "lluppesms"]
    credits = tables["ai_activity"]
    assert (credits.height, credits["value"].sum()) == (26, pytest.approx(70494.632081))
    assert activity_of(tables, "lluppesms", "2026-06-01") == {"credits": pytest.approx(240.1462555)}


def test_billing_usage_json_is_monthly(gh):
    tables = copilot.parse([gh / "viewer" / "billing-credits.json"])

    usage = tables["ai_usage"]
    assert usage.head(3).select("occurred_at", "user", "model", "cost_usd").rows() == [
        (midnight("2026-06-01"), "monalisa", "Coding Agent model", 3.511325),
        (midnight("2026-06-01"), "monalisa", "Auto: Coding Agent model", 0.544),
        (midnight("2026-06-01"), "monalisa", "Coding Agent model", 4.24),
    ]
    assert (usage.height, usage["cost_usd"].sum()) == (110, pytest.approx(3631.133066))
    assert activity_of(tables, "monalisa", "2026-06-01") == {"credits": pytest.approx(3098.289445)}
    # octokitten used no credits: no row
    assert tables["ai_activity"].height == 8


def test_org_tree_gives_people_and_github_identities(gh):
    tables = copilot.parse([gh / "viewer" / "entra-org-tree.json"])

    people = tables["people"]
    assert people.head(2).select("person_id", "name", "team", "manager_id", "role").rows() == [
        ("monalisa@octodemo.com", "Monalisa Octocat", "Engineering", None, "manager"),
        ("defunkt@octodemo.com", "Defunkt Jones", "Platform Engineering", "monalisa@octodemo.com", "manager"),
    ]
    assert people.height == 8
    assert tables["identities"].row(0) == ("monalisa@octodemo.com", "github", "monalisa")


@pytest.mark.parametrize(
    "name",
    [
        "viewer/organization_seats_response_sample.json",
        "viewer/enterprise_seats_response_sample.json",
        "viewer/enterprise_seats_with_duplicates.json",
        "devlake/_raw_copilot_seats.csv",
    ],
)
def test_seats_are_read_but_hold_no_usage(gh, caplog, name):
    assert copilot.parse([gh / name]) == {}
    assert "seats hold no usage" in caplog.text


@pytest.mark.parametrize(
    "name",
    [
        "new-api__download-links-enterprise-28-day.json",
        "new-api__download-links-organization-1-day.json",
        "new-api__download-links-organization-28-day.json",
    ],
)
def test_download_links_say_what_to_import_instead(gh, name):
    with pytest.raises(SourceError, match=f"{name}: holds only download links"):
        copilot.parse([gh / "viewer" / name])


def test_an_unknown_json_shape_is_named(tmp_path):
    odd = tmp_path / "odd.json"
    odd.write_text('{"hello": 1}')

    with pytest.raises(SourceError, match=r"odd.json: not a Copilot metrics, billing or seats response$"):
        copilot.parse([odd])


def test_the_org_reports_prs_created_by_the_coding_agent(gh):
    path = gh / "viewer" / "new-api__organization-28-day-report.json"
    tables = copilot.parse([path])

    days = json.loads(path.read_text(encoding="utf-8"))["day_totals"]
    created = sum((d.get("pull_requests") or {}).get("total_created_by_copilot", 0) for d in days)
    merged = sum((d.get("pull_requests") or {}).get("total_merged_created_by_copilot", 0) for d in days)
    totals = dict(tables["ai_activity"].group_by("metric").agg(pl.col("value").sum()).rows())
    assert (totals["copilot_prs_created"], totals["copilot_prs_merged"]) == (created, merged) == (5, 5)
    enterprise = copilot.parse([gh / "docs" / "usage_metrics_enterprise_level_example.json"])
    assert activity_of(enterprise, "copilot:enterprise:1", "2025-10-01")["copilot_prs_created"] == 1.0
