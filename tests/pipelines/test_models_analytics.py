"""The analytics models: given rows, expect reverts matched, PR quality columns and active days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from tests.pipelines.sqlmodel import rows, run_model

W1 = date(2026, 3, 2)  # a Monday
KEYED = pl.DataFrame({"person_id": ["p1", "p2"], "person_key": ["k1", "k2"]})
SCOPED = pl.DataFrame(
    {"person_id": ["p1", "p1", "p2"], "team": ["core", "core", "web"], "week": [W1, W1 + timedelta(7), W1]}
)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)


def pr(
    number: int,
    title: str,
    merged_day: int | None,
    repo: str = "a/b",
    person: str | None = "p1",
    opened_day: int | None = None,
    additions: int | None = 30,
    agent: str | None = None,
) -> dict:
    merged = at(merged_day) if merged_day is not None else None
    created = at(opened_day if opened_day is not None else (merged_day or 0) - 1, 9)
    return {
        "repo": repo,
        "number": number,
        "author_key": "a",
        "credited_key": "a",
        "person_id": person,
        "is_bot": False,
        "agent": agent,
        "is_agent": agent is not None,
        "human_reviewed": None if agent is None else False,
        "created_at": created,
        "merged_at": merged,
        "merged_week": (merged.date() - timedelta(days=merged.weekday())) if merged else None,
        "additions": additions,
        "deletions": 10,
        "title": title,
    }


def reverts(*prs: dict) -> list[tuple]:
    result = run_model(
        "int_pull_request_reverts_matched", "repo, number", int_pull_requests_resolved=pl.DataFrame(list(prs))
    )
    return rows(result, "repo", "number", "reverted_number")


def test_a_github_revert_title_matches_the_pr_it_names():
    assert reverts(pr(1, "Add cache", 1), pr(2, 'Revert "Add cache"', 3)) == [("a/b", 2, 1)]


@pytest.mark.parametrize(
    "title", ["Reverts #1", "Revert #1: broke checkout", "revert of #1", "This reverts #1"]
)
def test_a_revert_naming_the_pr_by_number_matches_it(title):
    assert reverts(pr(1, "Add cache", 1), pr(2, title, 2)) == [("a/b", 2, 1)]


def test_a_revert_more_than_21_days_later_is_not_counted():
    assert reverts(pr(1, "Add cache", 0), pr(2, 'Revert "Add cache"', 22)) == []
    assert reverts(pr(1, "Add cache", 0), pr(2, 'Revert "Add cache"', 21)) == [("a/b", 2, 1)]


def test_a_revert_matches_only_in_its_own_repo_and_only_merged_prs():
    assert reverts(pr(1, "Add cache", 1, repo="a/other"), pr(2, 'Revert "Add cache"', 3)) == []
    assert reverts(pr(1, "Add cache", None), pr(2, 'Revert "Add cache"', 3)) == []
    assert reverts(pr(1, "Add cache", 1), pr(2, 'Revert "Add cache"', None)) == []


def test_a_mention_without_the_word_revert_is_not_a_revert():
    assert reverts(pr(1, "Add cache", 1), pr(2, "Follow-up to #1", 2), pr(3, "Reverting nothing", 2)) == []


def test_a_title_match_takes_the_latest_same_titled_pr_merged_before_the_revert_opened():
    prs = [
        pr(1, "Bump x", 1),
        pr(2, "Bump x", 3),
        pr(3, 'Revert "Bump x"', 6, opened_day=4),
        pr(4, "Bump x", 5),
    ]
    assert reverts(*prs) == [("a/b", 3, 2)]


def test_a_revert_of_a_revert_matches_the_revert():
    prs = [pr(1, "Add cache", 1), pr(2, 'Revert "Add cache"', 2), pr(3, 'Revert "Revert "Add cache""', 3)]
    assert reverts(*prs) == [("a/b", 2, 1), ("a/b", 3, 2)]


def test_merged_pull_requests_carry_size_time_to_merge_and_revert_flags():
    prs = pl.DataFrame(
        [
            pr(1, "Add cache", 1),
            pr(2, 'Revert "Add cache"', 3),
            pr(3, "Other", 2, person="p2"),
            pr(4, "Agent", 2, person="p2", additions=None, agent="copilot"),  # no size given
        ]
    )
    matched = pl.DataFrame(
        {
            "repo": ["a/b"],
            "number": [2],
            "reverted_number": [1],
            "merged_at": [at(3)],
            "reverted_merged_at": [at(1)],
        }
    )
    result = run_model(
        "fct_merged_pull_requests",
        "number",
        int_pull_requests_resolved=prs,
        int_person_weeks_scoped=SCOPED,
        int_people_keyed=KEYED,
        int_pull_request_reverts_matched=matched,
    )
    assert rows(
        result,
        "number",
        "person_key",
        "changed_lines",
        "hours_to_merge",
        "is_revert",
        "is_reverted",
        "reverted_by",
        "agent",
        "human_reviewed",
    ) == [
        (1, "k1", 40, 27.0, False, True, 2, None, None),
        (2, "k1", 40, 27.0, True, False, None, None, None),
        (3, "k2", 40, 27.0, False, False, None, None, None),
        (4, "k2", None, 27.0, False, False, None, "copilot", False),  # size unknown: NULL, not 10
    ]


def usage_day(person: str, day: int, tokens: int) -> dict:
    usage_date = W1 + timedelta(days=day)
    return {
        "person_id": person,
        "usage_date": usage_date,
        "week": usage_date - timedelta(days=usage_date.weekday()),
        "source_rows": 1,
        "total_tokens": tokens,
        "cost_micro_usd": tokens,
    }


def ticket(person: str, day: int) -> dict:
    resolved = at(day)
    return {"ticket_id": f"T-{day}", "person_id": person, "resolved_at": resolved, "issue_type": "Task"}


def activity(usage: list[dict], prs: list[dict], tickets: list[dict]) -> pl.DataFrame:
    days = run_model(
        "int_person_days_combined",
        "person_id, day",
        int_ai_usage_resolved_to_person_day=pl.DataFrame(usage),
        int_pull_requests_resolved=pl.DataFrame(prs),
        int_tickets_resolved=pl.DataFrame(tickets),
    )
    return run_model(
        "fct_person_week_activity",
        "person_key, week",
        int_person_days_combined=days,
        int_person_weeks_scoped=SCOPED,
        int_people_keyed=KEYED,
    )


def test_active_days_count_days_with_ai_a_pr_or_a_ticket_once():
    usage = [usage_day("p1", 0, 100), usage_day("p1", 1, 100), usage_day("p1", 5, 100)]
    prs = [
        pr(1, "Add cache", 1, opened_day=0),
        pr(2, "Fix", None, opened_day=3),
    ]  # merged Tue, opened Mon; opened Thu
    result = activity(usage, prs, [ticket("p1", 4)])
    assert rows(
        result,
        "person_key",
        "week",
        "active_days",
        "ai_days",
        "pr_days",
        "ticket_days",
        "ai_days_without_output",
        "weekend_ai_days",
    ) == [
        ("k1", W1, 5, 3, 3, 1, 2, 1),  # Mon AI+opened, Tue AI+merged, Thu opened, Fri ticket, Sat AI
        ("k1", W1 + timedelta(7), 0, 0, 0, 0, 0, 0),
        ("k2", W1, 0, 0, 0, 0, 0, 0),
    ]


def test_daily_token_spread_is_zero_for_an_even_week_and_sqrt6_for_one_day():
    even = [usage_day("p1", d, 500) for d in range(7)]
    one_day = [usage_day("p2", 2, 3_500)]
    result = activity(even + one_day, [pr(9, "x", None, person=None)], [ticket("nobody", 0)])
    cv = dict(rows(result.filter(pl.col("week") == W1), "person_key", "daily_token_cv"))
    assert cv["k1"] == pytest.approx(0.0, abs=1e-9)
    assert cv["k2"] == pytest.approx(6**0.5)
    assert result.filter(pl.col("week") != W1)["daily_token_cv"].to_list() == [None]
