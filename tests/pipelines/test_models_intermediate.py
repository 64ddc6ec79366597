"""Intermediate models: given staged rows, expect resolved, deduplicated and aggregated rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from tests.pipelines.sqlmodel import rows, run_model


def ts(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


PEOPLE_SCHEMA = {
    "source_file": pl.String,
    "source_row": pl.Int64,
    "person_id": pl.String,
    "email": pl.String,
    "name": pl.String,
    "team": pl.String,
    "manager_id": pl.String,
    "role": pl.String,
    "level": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "reject_column": pl.String,
    "reject_reason": pl.String,
}


def staged_people(*people: tuple) -> pl.DataFrame:
    """(person_id, email, team, start_date, end_date) tuples."""
    data = [
        ("f", i, pid, email, pid.upper(), team, None, "engineer", "L4", start, end, None, None)
        for i, (pid, email, team, start, end) in enumerate(people, 1)
    ]
    return pl.DataFrame(data, schema=PEOPLE_SCHEMA, orient="row")


IDENTITY_SCHEMA = {
    "source_file": pl.String,
    "source_row": pl.Int64,
    "person_id": pl.String,
    "system": pl.String,
    "identity_key": pl.String,
    "reject_column": pl.String,
    "reject_reason": pl.String,
}


def staged_identities(*ids: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        [("f", i, p, s, k, None, None) for i, (p, s, k) in enumerate(ids, 1)],
        schema=IDENTITY_SCHEMA,
        orient="row",
    )


def test_people_first_row_of_a_repeated_person_id_wins():
    people = staged_people(
        ("p1", "a@x.io", "core", None, None),
        ("p1", "dup@x.io", "web", None, None),
        ("p2", "b@x.io", "web", None, None),
    )
    result = run_model("int_people_deduplicated", "person_id", stg_input__people=people)
    assert rows(result, "person_id", "email", "team") == [("p1", "a@x.io", "core"), ("p2", "b@x.io", "web")]


def test_identity_keys_match_email_then_identity_then_person_id():
    people = staged_people(("p1", "ann@x.io", "core", None, None), ("p2", "bob@x.io", "core", None, None))
    identities = staged_identities(
        ("p2", "github", "bobgh"),
        ("p2", "jira", "ann@x.io"),  # an identity that collides with p1's email: email wins
        ("p9", "github", "ghost"),  # a person who is not in people: ignored
        ("Bob@x.io", "jira", "5b10ac"),  # an importer that knows only the email names the person by it
    )
    result = run_model(
        "int_identity_keys_resolved",
        "identity_key",
        int_people_deduplicated=people.select(PEOPLE_SCHEMA.keys()).drop(
            "source_file", "source_row", "reject_column", "reject_reason"
        ),
        stg_input__identities=identities,
    )
    assert rows(result) == [
        ("5b10ac", "p2", "identity:jira"),
        ("ann@x.io", "p1", "email"),
        ("bob@x.io", "p2", "email"),
        ("bobgh", "p2", "identity:github"),
        ("p1", "p1", "person_id"),
        ("p2", "p2", "person_id"),
    ]


USAGE_SCHEMA = {
    "source_file": pl.String,
    "source_row": pl.Int64,
    "occurred_at": pl.Datetime("us", "UTC"),
    "usage_date": pl.Date,
    "user_key": pl.String,
    "tool": pl.String,
    "model": pl.String,
    "input_tokens": pl.Int64,
    "output_tokens": pl.Int64,
    "cache_read_tokens": pl.Int64,
    "cache_write_tokens": pl.Int64,
    "requests": pl.Int64,
    "reported_cost_micro_usd": pl.Int64,
    "event_id": pl.String,
    "tokens_reported": pl.Boolean,
    "reject_column": pl.String,
    "reject_reason": pl.String,
}


def usage_row(
    row: int,
    at: datetime,
    user: str,
    model: str,
    tokens: tuple[int, int, int, int],
    cost: int | None = None,
    event: str | None = None,
    reject: str | None = None,
) -> tuple:
    day = at.astimezone(UTC).date()
    return ("f", row, at, day, user, "claude-code", model, *tokens, 1, cost, event, True, reject, reject)


def test_first_stage_dedupes_by_event_id_and_by_whole_row_then_sums_to_user_day():
    usage = pl.DataFrame(
        [
            usage_row(1, ts(2, 9), "ann", "m", (10, 1, 0, 0), event="e1"),
            usage_row(2, ts(2, 9), "ann", "m", (10, 1, 0, 0), event="e1"),  # re-sent event
            usage_row(3, ts(2, 10), "ann", "m", (5, 2, 100, 0), cost=1_000),
            usage_row(4, ts(2, 10), "ann", "m", (5, 2, 100, 0), cost=1_000),  # exact duplicate, no id
            usage_row(5, ts(2, 23), "ann", "m", (1, 1, 0, 0)),
            usage_row(6, ts(3, 1), "ann", "m", (7, 7, 0, 0)),
            usage_row(7, ts(3, 1), "ann", "m", (999, 0, 0, 0), reject="input_tokens"),
        ],
        schema=USAGE_SCHEMA,
        orient="row",
    )
    repeated = run_model("int_ai_usage_repeated_event_hashes", stg_input__ai_usage=usage)
    assert repeated.height == 1  # e1 is the one event_id that repeats
    result = run_model(
        "int_ai_usage_aggregated_to_user_day",
        "usage_date",
        stg_input__ai_usage=usage,
        int_ai_usage_repeated_event_hashes=repeated,
    )
    assert rows(
        result,
        "user_key",
        "usage_date",
        "source_rows",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "reported_cost_micro_usd",
        "unpriced_input_tokens",
        "unpriced_cache_read_tokens",
    ) == [
        ("ann", date(2026, 3, 2), 3, 16, 4, 100, 1_000, 11, 0),
        ("ann", date(2026, 3, 3), 1, 7, 7, 0, 0, 7, 0),
    ]


def user_day(
    user: str,
    day: date,
    model: str,
    tokens: tuple[int, int, int, int],
    reported: int = 0,
    unpriced: tuple[int, int, int, int] | None = None,
) -> dict:
    unpriced = unpriced if unpriced is not None else tokens
    return {
        "user_key": user,
        "usage_date": day,
        "tool": "claude-code",
        "model": model,
        "tokens_reported": True,
        "source_rows": 1,
        "requests": 1,
        "input_tokens": tokens[0],
        "output_tokens": tokens[1],
        "cache_read_tokens": tokens[2],
        "cache_write_tokens": tokens[3],
        "reported_cost_micro_usd": reported,
        "unpriced_input_tokens": unpriced[0],
        "unpriced_output_tokens": unpriced[1],
        "unpriced_cache_read_tokens": unpriced[2],
        "unpriced_cache_write_tokens": unpriced[3],
        "last_event_at": datetime.combine(day, datetime.min.time(), UTC),
    }


PRICES = pl.DataFrame(
    {
        "model": ["claude-sonnet-4-5", "gpt-5", "gpt-5-mini"],
        "input_usd_per_mtok": [3.0, 1.25, 0.25],
        "output_usd_per_mtok": [15.0, 10.0, 2.0],
        "cache_read_usd_per_mtok": [0.3, 0.125, 0.025],
        "cache_write_usd_per_mtok": [3.75, 0.0, 0.0],
    }
)


def test_usage_is_priced_per_model_with_cache_tokens_and_unknown_models_stay_unpriced():
    day = date(2026, 3, 2)
    usage = pl.DataFrame(
        [
            user_day("ann@x.io", day, "claude-sonnet-4-5-20250929", (1_000, 200, 5_000, 100)),
            user_day("ann@x.io", day, "gpt-5-mini", (1_000, 1_000, 0, 0)),
            user_day("stranger", day, "llama-internal", (300, 300, 0, 0)),
            user_day("ann@x.io", day, "gpt-5", (50, 50, 0, 0), reported=777, unpriced=(0, 0, 0, 0)),
        ]
    )
    keys = pl.DataFrame({"identity_key": ["ann@x.io"], "person_id": ["p1"], "matched_by": ["email"]})
    result = run_model(
        "int_ai_usage_resolved_to_person_day",
        "model",
        int_ai_usage_aggregated_to_user_day=usage,
        int_identity_keys_resolved=keys,
        config_prices=PRICES,
    )
    # sonnet: 1000*3 + 200*15 + 5000*0.3 + 100*3.75 = 7875 micro-dollars (the longest listed prefix wins)
    # gpt-5-mini: exact id, not the shorter gpt-5 prefix: 1000*0.25 + 1000*2 = 2250
    assert rows(
        result, "person_id", "model", "week", "total_tokens", "cost_micro_usd", "unpriced_tokens"
    ) == [
        ("p1", "claude-sonnet-4-5-20250929", date(2026, 3, 2), 6_300, 7_875, 0),
        ("p1", "gpt-5", date(2026, 3, 2), 100, 777, 0),
        ("p1", "gpt-5-mini", date(2026, 3, 2), 2_000, 2_250, 0),
        (None, "llama-internal", date(2026, 3, 2), 600, 0, 600),
    ]


PR_SCHEMA = {
    "source_file": pl.String,
    "source_row": pl.Int64,
    "repo": pl.String,
    "number": pl.Int64,
    "author_key": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
    "merged_at": pl.Datetime("us", "UTC"),
    "additions": pl.Int64,
    "deletions": pl.Int64,
    "title": pl.String,
    "head_ref": pl.String,
    "agent": pl.String,
    "delegator_key": pl.String,
    "human_reviewed": pl.Boolean,
    "reject_column": pl.String,
    "reject_reason": pl.String,
}
NO_AGENT = (None, None, None, None)
AGENT_LOGINS = pl.DataFrame(
    {"login": ["copilot", "devin-ai-integration[bot]"], "agent": ["copilot", "devin"]}
)


def test_pull_requests_keep_the_latest_version_and_flag_bots():
    prs = pl.DataFrame(
        [
            ("a.csv", 1, "a/b", 1, "anngh", ts(2), None, 1, 1, "WIP", *NO_AGENT, None, None),
            (
                "b.csv",
                1,
                "a/b",
                1,
                "anngh",
                ts(2),
                ts(4),
                5,
                1,
                "Add x",
                *NO_AGENT,
                None,
                None,
            ),  # later: merged
            ("b.csv", 2, "a/b", 2, "dependabot[bot]", ts(2), ts(3), 1, 1, "Bump", *NO_AGENT, None, None),
            ("b.csv", 3, "a/b", 3, "release-robot", ts(2), ts(3), 1, 1, "Release", *NO_AGENT, None, None),
            ("b.csv", 4, "a/b", 4, "ext", ts(2), ts(10), 1, 1, "Outside", *NO_AGENT, None, None),
        ],
        schema=PR_SCHEMA,
        orient="row",
    )
    keys = pl.DataFrame({"identity_key": ["anngh"], "person_id": ["p1"], "matched_by": ["identity:github"]})
    bots = pl.DataFrame({"login": ["release-robot"]})
    result = run_model(
        "int_pull_requests_resolved",
        "number",
        stg_input__pull_requests=prs,
        int_identity_keys_resolved=keys,
        config_bot_logins=bots,
        config_agent_logins=AGENT_LOGINS,
    )
    assert rows(result, "number", "person_id", "is_bot", "merged_week", "title") == [
        (1, "p1", False, date(2026, 3, 2), "Add x"),
        (2, None, True, date(2026, 3, 2), "Bump"),
        (3, None, True, date(2026, 3, 2), "Release"),
        (4, None, False, date(2026, 3, 9), "Outside"),
    ]


def test_agent_pull_requests_are_credited_to_who_delegated_them():
    def row(
        number: int, author: str, agent: str | None, delegator: str | None, reviewed: bool | None
    ) -> tuple:
        return ("a.csv", number, "a/b", number, author, ts(2), ts(3), None, None, "t", None, agent, delegator,
                reviewed, None, None)  # fmt: skip

    prs = pl.DataFrame(
        [
            row(1, "copilot", None, "anngh", False),  # the agent's login: credited to the assignee
            row(2, "bo@x.io", "claude", None, True),  # a human author with Claude Code's trailer
            row(3, "devin-ai-integration[bot]", None, "cy@x.io", None),  # a [bot] agent with a requester
            row(4, "copilot", None, None, None),  # no delegator: unmatched, not a bot
            row(5, "dependabot[bot]", None, None, None),
        ],
        schema=PR_SCHEMA,
        orient="row",
    )
    keys = pl.DataFrame(
        {
            "identity_key": ["anngh", "bo@x.io", "cy@x.io"],
            "person_id": ["p1", "p2", "p3"],
            "matched_by": ["x"] * 3,
        }
    )
    result = run_model(
        "int_pull_requests_resolved",
        "number",
        stg_input__pull_requests=prs,
        int_identity_keys_resolved=keys,
        config_bot_logins=pl.DataFrame({"login": []}, schema={"login": pl.String}),
        config_agent_logins=AGENT_LOGINS,
    )
    assert rows(result, "number", "credited_key", "person_id", "is_bot", "agent", "human_reviewed") == [
        (1, "anngh", "p1", False, "copilot", False),
        (2, "bo@x.io", "p2", False, "claude", True),
        (3, "cy@x.io", "p3", False, "devin", None),
        (4, None, None, False, "copilot", None),
        (5, "dependabot[bot]", None, True, None, None),
    ]


def test_tickets_resolve_assignees_and_weeks():
    schema = {
        "source_file": pl.String,
        "source_row": pl.Int64,
        "ticket_id": pl.String,
        "assignee_key": pl.String,
        "created_at": pl.Datetime("us", "UTC"),
        "resolved_at": pl.Datetime("us", "UTC"),
        "issue_type": pl.String,
        "status": pl.String,
        "agent": pl.String,
        "reject_column": pl.String,
        "reject_reason": pl.String,
    }
    tickets = pl.DataFrame(
        [
            ("f", 1, "T-1", "ann@x.io", ts(2), ts(9, 1), "Bug", "Done", "devin", None, None),
            ("f", 2, "T-2", None, ts(2), None, "Task", "Open", None, None, None),
        ],
        schema=schema,
        orient="row",
    )
    keys = pl.DataFrame({"identity_key": ["ann@x.io"], "person_id": ["p1"], "matched_by": ["email"]})
    result = run_model(
        "int_tickets_resolved", "ticket_id", stg_input__tickets=tickets, int_identity_keys_resolved=keys
    )
    assert rows(result, "ticket_id", "person_id", "resolved_week", "agent") == [
        ("T-1", "p1", date(2026, 3, 9), "devin"),  # delegated to Devin: still ann's ticket
        ("T-2", None, None, None),
    ]


def test_period_spans_first_to_last_week_of_any_event():
    usage = pl.DataFrame({"week": [date(2026, 3, 9), date(2026, 3, 16)]})
    prs = pl.DataFrame({"merged_week": [date(2026, 3, 2), None]}, schema={"merged_week": pl.Date})
    tickets = pl.DataFrame({"resolved_week": [date(2026, 3, 23)]})
    result = run_model(
        "int_period_weeks_listed",
        "week",
        int_ai_usage_resolved_to_person_day=usage,
        int_pull_requests_resolved=prs,
        int_tickets_resolved=tickets,
    )
    assert result["week"].to_list() == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
    ]


def test_person_is_in_scope_for_a_week_when_employed_on_any_day_of_it():
    people = pl.DataFrame(
        {
            "person_id": ["stays", "joins_sunday", "leaves_monday", "gone"],
            "team": ["t"] * 4,
            "start_date": [None, date(2026, 3, 8), None, None],
            "end_date": [None, None, date(2026, 3, 9), date(2026, 3, 1)],
        },
        schema_overrides={"start_date": pl.Date, "end_date": pl.Date},
    )
    weeks = pl.DataFrame({"week": [date(2026, 3, 2), date(2026, 3, 9)]})
    result = run_model(
        "int_person_weeks_scoped",
        "person_id, week",
        int_people_deduplicated=people,
        int_period_weeks_listed=weeks,
    )
    assert rows(result, "person_id", "week") == [
        ("joins_sunday", date(2026, 3, 2)),
        ("joins_sunday", date(2026, 3, 9)),
        ("leaves_monday", date(2026, 3, 2)),
        ("leaves_monday", date(2026, 3, 9)),
        ("stays", date(2026, 3, 2)),
        ("stays", date(2026, 3, 9)),
    ]
