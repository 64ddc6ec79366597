"""Marts: given intermediate rows, expect the tables the dashboard reads."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from pipelines.privacy.pseudonyms import person_key
from tests.pipelines.sqlmodel import TEST_KEY, rows, run_model

W1, W2 = date(2026, 3, 2), date(2026, 3, 9)


def usage(
    person: str | None,
    user: str,
    week: date,
    tool: str,
    tokens: int,
    cost: int,
    unpriced: int = 0,
    reported: bool = True,
) -> dict:
    return {
        "person_id": person,
        "user_key": user,
        "usage_date": week,
        "week": week,
        "tool": tool,
        "model": "m",
        "tokens_reported": reported,
        "source_rows": 2,
        "requests": 3,
        "input_tokens": tokens,
        "output_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "total_tokens": tokens,
        "cost_micro_usd": cost,
        "unpriced_tokens": unpriced,
        "last_event_at": datetime(2026, 3, 3, tzinfo=UTC),
    }


USAGE = pl.DataFrame(
    [
        usage("p1", "a", W1, "claude-code", 100, 1_000),
        usage("p1", "a", W1, "cursor", 50, 500),
        usage("p1", "a", W2, "copilot", 0, 0, reported=False),
        usage("p2", "b", W2, "cursor", 10, 100, unpriced=10),
        usage("p3", "c", W2, "cursor", 999, 999),  # p3 is not in scope in W2
        usage(None, "stranger", W1, "cursor", 70, 700),
    ]
)
SCOPED = pl.DataFrame(
    {
        "person_id": ["p1", "p1", "p2", "p2", "p3"],
        "team": ["core", "core", "web", "web", "web"],
        "week": [W1, W2, W1, W2, W1],
    }
)


def pr(
    number: int,
    person: str | None,
    author: str,
    merged_week: date | None,
    bot: bool = False,
    agent: str | None = None,
    credited: str | None = None,
) -> dict:
    merged = datetime.combine(merged_week, datetime.min.time(), UTC) if merged_week else None
    return {
        "repo": "a/b",
        "number": number,
        "author_key": author,
        "credited_key": credited or author,
        "person_id": person,
        "is_bot": bot,
        "agent": agent,
        "is_agent": agent is not None,
        "human_reviewed": None if agent is None else False,
        "created_at": datetime(2026, 3, 1, tzinfo=UTC),
        "merged_at": merged,
        "merged_week": merged_week,
        "additions": 10,
        "deletions": 2,
        "title": f"PR {number}",
    }


PRS = pl.DataFrame(
    [
        pr(1, "p1", "a", W1),
        pr(2, "p1", "a", W1),
        pr(3, "p2", "b", W2),
        pr(4, "p2", "b", None),
        pr(5, None, "dependabot[bot]", W1, bot=True),
        pr(6, None, "ext", W2),
        pr(7, None, "ext", None),
        pr(8, None, "copilot", W2, agent="copilot", credited=None),  # no delegator: unmatched as the agent
    ]
)
TICKETS = pl.DataFrame(
    [
        {
            "ticket_id": "T-1",
            "assignee_key": "a",
            "person_id": "p1",
            "created_at": datetime(2026, 3, 1, tzinfo=UTC),
            "resolved_at": datetime(2026, 3, 10, tzinfo=UTC),
            "resolved_week": W2,
            "issue_type": "Bug",
            "status": "Done",
        },
        {
            "ticket_id": "T-2",
            "assignee_key": "zed",
            "person_id": None,
            "created_at": datetime(2026, 3, 1, tzinfo=UTC),
            "resolved_at": None,
            "resolved_week": None,
            "issue_type": "Task",
            "status": "Open",
        },
    ]
)


# the pseudonyms the build would compute (int_people_keyed); marts carry these, not person_id
KEYED = pl.DataFrame({"person_id": ["p1", "p2", "p3"], "person_key": ["k1", "k2", "k3"]})


def test_person_weeks_join_usage_and_output_for_every_week_in_scope():
    result = run_model(
        "fct_person_weeks",
        "person_key, week",
        int_person_weeks_scoped=SCOPED,
        int_people_keyed=KEYED,
        int_ai_usage_resolved_to_person_day=USAGE,
        int_pull_requests_resolved=PRS,
        int_tickets_resolved=TICKETS,
    )
    assert rows(
        result,
        "person_key",
        "week",
        "is_ai_user",
        "total_tokens",
        "cost_micro_usd",
        "unpriced_tokens",
        "merged_prs",
        "closed_tickets",
        "closed_bug_tickets",
    ) == [
        ("k1", W1, True, 150, 1_500, 0, 2, 0, 0),
        ("k1", W2, True, 0, 0, 0, 0, 1, 1),  # copilot: activity without tokens still makes an AI user
        ("k2", W1, False, 0, 0, 0, 0, 0, 0),
        ("k2", W2, True, 10, 100, 10, 1, 0, 0),
        ("k3", W1, False, 0, 0, 0, 0, 0, 0),  # p3's W2 usage is outside their scope
    ]


def test_person_week_tools_split_usage_by_tool_within_scope():
    result = run_model(
        "fct_person_week_tools",
        "person_key, week, tool",
        int_person_weeks_scoped=SCOPED,
        int_ai_usage_resolved_to_person_day=USAGE,
        int_people_keyed=KEYED,
    )
    assert rows(result, "person_key", "week", "tool", "total_tokens", "ai_rows") == [
        ("k1", W1, "claude-code", 100, 2),
        ("k1", W1, "cursor", 50, 2),
        ("k1", W2, "copilot", 0, 2),
        ("k2", W2, "cursor", 10, 2),
    ]


def test_unmatched_identities_carry_their_tokens_prs_and_tickets_but_bots_are_not_people():
    result = run_model(
        "fct_unmatched_identities",
        "source, identity_key",
        int_ai_usage_resolved_to_person_day=USAGE,
        int_pull_requests_resolved=PRS,
        int_tickets_resolved=TICKETS,
    )
    assert rows(result, "source", "identity_key", "tokens", "pull_requests", "merged_prs", "tickets") == [
        ("ai_usage", "stranger", 70, 0, 0, 0),
        ("pull_requests", "copilot", 0, 1, 1, 0),
        ("pull_requests", "ext", 0, 2, 1, 0),
        ("tickets", "zed", 0, 0, 0, 1),
    ]


def test_bot_pull_requests_are_counted_apart():
    result = run_model("fct_bot_pull_requests", int_pull_requests_resolved=PRS)
    assert rows(result) == [("dependabot[bot]", 1, 1)]


def test_tools_say_whether_they_report_tokens():
    result = run_model("dim_tools", "tool", int_ai_usage_resolved_to_person_day=USAGE)
    assert rows(result, "tool", "reports_tokens", "total_tokens") == [
        ("claude-code", True, 100),
        ("copilot", False, 0),
        ("cursor", True, 1_129),
    ]


NO_REVERTS = pl.DataFrame(
    schema={
        "repo": pl.String,
        "number": pl.Int64,
        "reverted_number": pl.Int64,
        "merged_at": pl.Datetime("us", "UTC"),
        "reverted_merged_at": pl.Datetime("us", "UTC"),
    }
)


def test_merged_pull_requests_only_by_people_in_scope():
    result = run_model(
        "fct_merged_pull_requests",
        "number",
        int_pull_requests_resolved=PRS,
        int_person_weeks_scoped=SCOPED,
        int_people_keyed=KEYED,
        int_pull_request_reverts_matched=NO_REVERTS,
    )
    assert rows(result, "number", "person_key", "week") == [(1, "k1", W1), (2, "k1", W1), (3, "k2", W2)]


def test_source_freshness_is_the_last_event_per_source():
    result = run_model(
        "fct_source_freshness",
        "source",
        int_ai_usage_resolved_to_person_day=USAGE,
        int_pull_requests_resolved=PRS,
        int_tickets_resolved=TICKETS,
    )
    assert rows(result) == [
        ("ai_usage", datetime(2026, 3, 3, tzinfo=UTC)),
        ("pull_requests", datetime(2026, 3, 9, tzinfo=UTC)),
        ("tickets", datetime(2026, 3, 10, tzinfo=UTC)),
    ]


def test_dim_people_is_the_roster():
    people = pl.DataFrame(
        {
            "person_id": ["p1"],
            "email": ["a@x.io"],
            "name": ["A"],
            "team": ["core"],
            "manager_id": [None],
            "role": ["engineer"],
            "level": ["L4"],
            "start_date": [None],
            "end_date": [None],
        },
        schema_overrides={"start_date": pl.Date, "end_date": pl.Date, "manager_id": pl.String},
    )
    result = run_model("dim_people", int_people_deduplicated=people, int_people_keyed=KEYED)
    assert rows(result, "person_id", "person_key", "email", "team") == [("p1", "k1", "a@x.io", "core")]


def test_person_keys_are_a_keyed_hash_of_the_roster_id():
    people = pl.DataFrame({"person_id": ["p1", "p2"]})
    result = run_model("int_people_keyed", "person_id", int_people_deduplicated=people)
    keys = dict(rows(result, "person_id", "person_key"))
    assert keys == {p: person_key(TEST_KEY, p) for p in ("p1", "p2")}
    assert all(len(k) == 16 and k not in ("p1", "p2") for k in keys.values())
    assert person_key(b"another key", "p1") != keys["p1"]


def test_every_model_states_its_grain():
    from pipelines.models import load_models

    assert all(model.grain for model in load_models())
