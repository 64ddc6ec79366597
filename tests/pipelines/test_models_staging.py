"""Staging models: given raw rows (as text, the way CSV arrives), expect typed rows and reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from tests.pipelines.sqlmodel import rows, run_model


def raw(columns: list[str], data: list[tuple]) -> pl.DataFrame:
    frame = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String), orient="row")
    return frame.with_columns(
        _source_file=pl.lit("in/x.csv"),
        _source_row=pl.int_range(1, frame.height + 1, dtype=pl.Int64),
        _source_problem=pl.lit(None, dtype=pl.String),
    )


USAGE_COLUMNS = [
    "occurred_at",
    "user",
    "tool",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "requests",
    "cost_usd",
    "event_id",
    "tokens_reported",
]


def test_ai_usage_types_rows_and_defaults_optional_columns():
    given = raw(
        USAGE_COLUMNS,
        [
            (
                "2026-03-02T10:00:00Z",
                " Ann@X.io ",
                "Claude-Code",
                "claude-sonnet-4-5",
                "100",
                "20",
                None,
                None,
                None,
                None,
                "e1",
                None,
            ),
            (
                "2026-03-02T23:30:00-02:00",
                "bob",
                "cursor",
                "gpt-5",
                "5",
                "6",
                "7",
                "8",
                "3",
                "0.25",
                None,
                "true",
            ),
            ("2026-03-04", "cat", "copilot", "", "0", "0", "0", "0", "9", None, None, "false"),
        ],
    )
    result = run_model("stg_input__ai_usage", "source_row", raw_ai_usage=given)
    assert rows(result, "occurred_at", "user_key", "tool", "model") == [
        (datetime(2026, 3, 2, 10, tzinfo=UTC), "ann@x.io", "claude-code", "claude-sonnet-4-5"),
        (datetime(2026, 3, 3, 1, 30, tzinfo=UTC), "bob", "cursor", "gpt-5"),
        (datetime(2026, 3, 4, tzinfo=UTC), "cat", "copilot", "unknown"),
    ]
    assert rows(
        result, "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "requests"
    ) == [
        (100, 20, 0, 0, 1),
        (5, 6, 7, 8, 3),
        (0, 0, 0, 0, 9),
    ]
    # cost_usd in dollars becomes integer micro-dollars; a missing cost stays missing (priced later)
    assert rows(result, "reported_cost_micro_usd", "event_id", "tokens_reported") == [
        (None, "e1", True),
        (250_000, None, True),
        (None, None, False),
    ]
    assert result["reject_reason"].to_list() == [None, None, None]


def test_ai_usage_bad_values_get_a_column_and_a_reason():
    given = raw(
        USAGE_COLUMNS,
        [
            ("yesterday", "a", "t", "m", "1", "1", None, None, None, None, None, None),
            ("2026-03-02", None, "t", "m", "1", "1", None, None, None, None, None, None),
            ("2026-03-02", "a", "t", "m", "-5", "1", None, None, None, None, None, None),
            ("2026-03-02", "a", "t", "m", "1", "lots", None, None, None, None, None, None),
            ("2026-03-02", "a", "t", "m", "1", "1", "x", None, None, None, None, None),
            ("2026-03-02", "a", "t", "m", "1", "1", None, None, None, "$3", None, None),
        ],
    )
    result = run_model("stg_input__ai_usage", "source_row", raw_ai_usage=given)
    assert rows(result, "source_row", "reject_column") == [
        (1, "occurred_at"),
        (2, "user"),
        (3, "input_tokens"),
        (4, "output_tokens"),
        (5, "cache_read_tokens"),
        (6, "cost_usd"),
    ]
    assert result["reject_reason"][0] == "occurred_at is not an ISO-8601 timestamp"


PEOPLE_COLUMNS = [
    "person_id",
    "email",
    "name",
    "team",
    "manager_id",
    "role",
    "level",
    "start_date",
    "end_date",
]


def test_people_lower_case_emails_and_parse_dates():
    given = raw(
        PEOPLE_COLUMNS,
        [
            ("p1", " Ann@X.io", "Ann", "core", None, "manager", "L6", None, None),
            ("p2", "bob@x.io", "Bob", None, "p1", "engineer", "L4", "2026-03-04", "2026-05-01"),
            ("p3", "cat@x.io", "Cat", "web", "p1", "engineer", "L4", "03/04/2026", None),
            ("p4", "dan@x.io", "Dan", "web", "p1", "engineer", "L4", "2026-05-01", "2026-03-01"),
        ],
    )
    result = run_model("stg_input__people", "source_row", raw_people=given)
    assert rows(result, "person_id", "email", "team", "start_date", "end_date") == [
        ("p1", "ann@x.io", "core", None, None),
        ("p2", "bob@x.io", "(no team)", date(2026, 3, 4), date(2026, 5, 1)),
        ("p3", "cat@x.io", "web", None, None),
        ("p4", "dan@x.io", "web", date(2026, 5, 1), date(2026, 3, 1)),
    ]
    assert result["reject_column"].to_list() == [None, None, "start_date", "end_date"]


def test_identities_key_on_lower_case_external_id():
    given = raw(["person_id", "system", "external_id"], [("p1", "GitHub", "AnnGH"), ("p2", "jira", " ")])
    result = run_model("stg_input__identities", "source_row", raw_identities=given)
    assert rows(result, "person_id", "system", "identity_key", "reject_column") == [
        ("p1", "github", "anngh", None),
        ("p2", "jira", None, "external_id"),
    ]


def test_pull_requests_merged_before_created_is_rejected():
    columns = ["repo", "number", "author", "created_at", "merged_at", "additions", "deletions", "title"]
    columns += ["head_ref", "agent", "delegator", "human_reviewed"]
    given = raw(
        columns,
        [
            (
                "a/b",
                "1",
                "AnnGH",
                "2026-03-02T10:00Z",
                "2026-03-03T10:00Z",
                "10",
                "2",
                "Add",
                None,
                None,
                None,
                None,
            ),
            ("a/b", "2", "ann", "2026-03-02T10:00Z", None, None, None, "WIP", None, None, None, None),
            (
                "a/b",
                "3",
                "ann",
                "2026-03-05T10:00Z",
                "2026-03-04T10:00Z",
                "1",
                "1",
                "Time travel",
                *[None] * 4,
            ),
            ("a/b", "x", "ann", "2026-03-05T10:00Z", None, "1", "1", "Bad number", None, None, None, None),
            (
                "a/b",
                "5",
                "Copilot",
                "2026-03-05T10:00Z",
                None,
                None,
                None,
                "Fix",
                "copilot/fix",
                "Copilot",
                "Ann",
                "false",
            ),
            ("a/b", "6", "ann", "2026-03-05T10:00Z", None, "many", None, "Bad size", None, None, None, None),
            ("a/b", "7", "ann", "2026-03-05T10:00Z", None, None, None, "Bad flag", None, None, None, "maybe"),
        ],
    )
    result = run_model("stg_input__pull_requests", "source_row", raw_pull_requests=given)
    got = rows(
        result, "number", "author_key", "merged_at", "additions", "agent", "delegator_key", "human_reviewed"
    )
    assert got == [
        (1, "anngh", datetime(2026, 3, 3, 10, tzinfo=UTC), 10, None, None, None),
        (2, "ann", None, None, None, None, None),  # no size given: NULL, never 0
        (3, "ann", datetime(2026, 3, 4, 10, tzinfo=UTC), 1, None, None, None),
        (None, "ann", None, 1, None, None, None),
        (5, "copilot", None, None, "copilot", "ann", False),
        (6, "ann", None, None, None, None, None),
        (7, "ann", None, None, None, None, None),
    ]
    assert rows(result, "reject_column") == [
        (None,),
        (None,),
        ("merged_at",),
        ("number",),
        (None,),
        ("additions",),
        ("human_reviewed",),
    ]


def test_tickets_resolved_at_is_optional_but_must_parse():
    columns = ["ticket_id", "assignee", "created_at", "resolved_at", "issue_type", "status", "agent"]
    given = raw(
        columns,
        [
            ("T-1", "Ann@x.io", "2026-03-02T10:00Z", "2026-03-03T10:00Z", "Bug", "Done", " Cursor "),
            ("T-2", None, "2026-03-02T10:00Z", None, None, None, None),
            ("T-3", "ann@x.io", "2026-03-02T10:00Z", "soon", "Task", "Done", None),
        ],
    )
    result = run_model("stg_input__tickets", "source_row", raw_tickets=given)
    assert rows(result, "ticket_id", "assignee_key", "issue_type", "status", "agent", "reject_column") == [
        ("T-1", "ann@x.io", "Bug", "Done", "cursor", None),  # delegated to an agent, still ann's
        ("T-2", None, "Unknown", "Unknown", None, None),
        ("T-3", "ann@x.io", "Task", "Done", None, "resolved_at"),
    ]


def test_ai_activity_values_must_be_non_negative_numbers():
    given = raw(
        ["occurred_on", "user", "tool", "metric", "value"],
        [
            ("2026-03-02", "ann", "Copilot", "Lines_Accepted", "12"),
            ("2026-03-02", "ann", "copilot", "acceptances", "-1"),
        ],
    )
    result = run_model("stg_input__ai_activity", "source_row", raw_ai_activity=given)
    assert rows(result, "tool", "metric", "value", "reject_column") == [
        ("copilot", "lines_accepted", 12.0, None),
        ("copilot", "acceptances", -1.0, "value"),
    ]
