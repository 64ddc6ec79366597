"""What each suite checks, written in code.

Two kinds of check, one result shape:
- Great Expectations expectations, run on a pandas frame of the table (contract-level: columns,
  types, keys, ranges, pairs of columns);
- SQL checks, for row-level rules on tables too large to pull into pandas (tens of millions of
  usage rows): the staging models already decided each row's fate, so the check counts rejected
  rows and shows examples from the quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import great_expectations as gx

from pipelines.inputs import UNBANDED_CHECK

E = gx.expectations
TOKENS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


@dataclass(frozen=True)
class SqlCheck:
    """Counts offending rows with `count_sql` and lists examples with `examples_sql`."""

    name: str
    count_sql: str
    examples_sql: str
    severity: str = "warning"  # "error" stops the build; "warning" is flagged, nothing is dropped


@dataclass(frozen=True)
class Suite:
    name: str
    frame_sql: str  # the rows the GX expectations see
    expectations: list = field(default_factory=list)
    sql_checks: list[SqlCheck] = field(default_factory=list)
    severity: str = "error"  # of the GX expectations: a mart that breaks its contract is a bug
    # a column of the frame by which an incremental build shows GX only the weeks (or days) it
    # changed: every expectation is about one row or a key that includes this column, the mart is
    # recomputed by it, and its other rows passed the same suite in the previous build
    incremental_by: str = ""


def rejected(table: str, columns: tuple[str, ...], what: str) -> SqlCheck:
    cols = ", ".join(f"'{c}'" for c in columns)
    return SqlCheck(
        name=f"{what} ({', '.join(columns)})",
        count_sql=f"select count(*) from quarantine where table_name = '{table}' and column_name in ({cols})",
        examples_sql=(
            "select source_file || ':' || source_row || ' ' || column_name || '=' || coalesce(value, '∅') "
            f"from quarantine where table_name = '{table}' and column_name in ({cols}) "
            "order by source_file, source_row limit 5"
        ),
    )


def input_suites(token_ceiling: int) -> list[Suite]:
    """One suite per canonical input table."""
    return [
        Suite(
            "input: people",
            "select person_id, email, team, start_date, end_date from int_people_deduplicated",
            [
                E.ExpectColumnValuesToBeUnique(column="person_id"),
                E.ExpectColumnValuesToBeUnique(column="email"),
                E.ExpectColumnValuesToNotBeNull(column="team"),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="end_date",
                    column_B="start_date",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
            ],
            [
                rejected("people", ("person_id", "email"), "rows are complete and do not conflict"),
                rejected("people", ("start_date", "end_date"), "dates parse"),
            ],
        ),
        Suite(
            "input: identities",
            "select system, identity_key, person_id from stg_input__identities where reject_reason is null",
            [
                E.ExpectColumnValuesToNotBeNull(column="identity_key"),
                E.ExpectColumnValuesToNotBeNull(column="system"),
            ],
            [
                SqlCheck(
                    "identities name a person in people",
                    "select count(*) from stg_input__identities i where reject_reason is null and not exists "
                    "(select 1 from int_identity_keys_resolved k where k.identity_key = i.identity_key)",
                    "select system || ':' || identity_key || ' -> ' || person_id from stg_input__identities i "
                    "where reject_reason is null and not exists (select 1 from int_identity_keys_resolved k "
                    "where k.identity_key = i.identity_key) order by 1 limit 5",
                )
            ],
            severity="warning",
        ),
        Suite(
            "input: ai_usage",
            # tens of millions of rows: GX sees the daily sums per tool and model (thousands of rows);
            # the per-row rules were applied in SQL by the staging model and are counted below
            "select usage_date, tool, model, sum(source_rows) as source_rows, "
            + ", ".join(f"sum({c}) as {c}" for c in TOKENS)
            + " from int_ai_usage_aggregated_to_user_day group by all",
            [
                E.ExpectCompoundColumnsToBeUnique(column_list=["usage_date", "tool", "model"]),
                *[E.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in TOKENS],
                E.ExpectColumnValuesToBeBetween(column="source_rows", min_value=1),
                E.ExpectColumnValuesToNotBeNull(column="usage_date"),
            ],
            [
                SqlCheck(
                    "one row per user, day, tool and model after deduplication",
                    "select count(*) - count(distinct (user_key, usage_date, tool, model, tokens_reported)) "
                    "from int_ai_usage_aggregated_to_user_day",
                    "select user_key || ' ' || usage_date || ' ' || tool || ' ' || model "
                    "from int_ai_usage_aggregated_to_user_day group by all having count(*) > 1 limit 5",
                    severity="error",
                ),
                rejected("ai_usage", ("occurred_at",), "timestamps parse"),
                rejected("ai_usage", TOKENS, "token counts are non-negative integers"),
                rejected("ai_usage", ("user", "requests", "cost_usd"), "user, requests and cost are valid"),
                SqlCheck(
                    "usage resolves to a person",
                    "select count(*) from int_ai_usage_resolved_to_person_day where person_id is null",
                    "select distinct user_key from int_ai_usage_resolved_to_person_day where person_id is null "
                    "order by 1 limit 5",
                ),
                SqlCheck(
                    f"person-day tokens at most {token_ceiling:,} (plausible range; flagged, not dropped)",
                    f"select count(*) from ({PERSON_DAYS_SQL}) where tokens > {token_ceiling}",
                    f"select person_id || ' ' || usage_date || ': ' || tokens || ' tokens' from ({PERSON_DAYS_SQL}) "
                    f"where tokens > {token_ceiling} order by tokens desc, person_id limit 5",
                ),
            ],
            severity="warning",
        ),
        Suite(
            "input: pull_requests",
            "select repo, number, created_at, merged_at, additions, deletions from int_pull_requests_resolved",
            [
                E.ExpectCompoundColumnsToBeUnique(column_list=["repo", "number"]),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="merged_at",
                    column_B="created_at",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                E.ExpectColumnValuesToBeBetween(column="additions", min_value=0),
                E.ExpectColumnValuesToBeBetween(column="deletions", min_value=0),
            ],
            [
                rejected(
                    "pull_requests",
                    ("created_at", "merged_at"),
                    "timestamps parse and merged_at ≥ created_at",
                ),
                rejected(
                    "pull_requests",
                    ("additions", "deletions", "human_reviewed"),
                    "sizes and review flags parse",
                ),
                SqlCheck(
                    "agent-authored PRs name the human who delegated them",
                    "select count(*) from int_pull_requests_resolved where is_agent and credited_key is null",
                    "select repo || '#' || number || ' by ' || author_key from int_pull_requests_resolved "
                    "where is_agent and credited_key is null order by 1 limit 5",
                ),
                SqlCheck(
                    "authors resolve to a person or a bot",
                    "select count(*) from int_pull_requests_resolved where person_id is null and not is_bot",
                    "select distinct author_key from int_pull_requests_resolved where person_id is null and not is_bot "
                    "order by 1 limit 5",
                ),
            ],
        ),
        Suite(
            "input: tickets",
            "select ticket_id, created_at, resolved_at from int_tickets_resolved",
            [
                E.ExpectColumnValuesToBeUnique(column="ticket_id"),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="resolved_at",
                    column_B="created_at",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
            ],
            [
                rejected(
                    "tickets", ("created_at", "resolved_at"), "timestamps parse and resolved_at ≥ created_at"
                )
            ],
        ),
        Suite(
            "input: ai_activity",
            "select occurred_on, tool, metric, sum(value) as value, count(*) as signals "
            "from int_ai_activity_deduplicated group by all",
            [
                E.ExpectColumnValuesToBeBetween(column="value", min_value=0),
                E.ExpectCompoundColumnsToBeUnique(column_list=["occurred_on", "tool", "metric"]),
            ],
            [rejected("ai_activity", ("occurred_on", "value"), "dates parse and values are non-negative")],
        ),
        Suite(
            "input: cost_bands",
            "select level, annual_loaded_cost_usd from dim_cost_bands",
            [
                E.ExpectColumnValuesToBeUnique(column="level"),
                E.ExpectColumnValuesToBeBetween(
                    column="annual_loaded_cost_usd", min_value=0, strict_min=True
                ),
            ],
            [
                rejected(
                    "cost_bands",
                    ("level", "annual_loaded_cost"),
                    "levels are named and costs are USD above 0",
                ),
                SqlCheck(
                    UNBANDED_CHECK,
                    f"select count(*) from ({UNBANDED_SQL})",
                    f"select 'level ' || level || ': ' || count(*) || if(count(*) = 1, ' person', ' people') "
                    f"from ({UNBANDED_SQL}) "
                    "group by level order by level limit 5",
                ),
            ],
            severity="warning",
        ),
    ]


# people whose level has no cost band, when bands were given (without bands the feature is off)
UNBANDED_SQL = (
    "select coalesce(p.level, '(empty)') as level from int_people_deduplicated p "
    "where exists (select 1 from dim_cost_bands) "
    "and not exists (select 1 from dim_cost_bands b where b.level = p.level)"
)


# each matched person's tokens per UTC day (the sums of int_ai_usage_resolved_to_person_day)
PERSON_DAYS_SQL = "select person_id, day as usage_date, tokens from int_person_days_combined where tokens > 0"

TOKENS_LOADED = (
    "select coalesce(sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens), 0) "
    "from int_ai_usage_aggregated_to_user_day"
)
TOKENS_PLACED = (
    "select (select coalesce(sum(total_tokens), 0) from fct_person_weeks) "
    "+ (select coalesce(sum(tokens), 0) from fct_unmatched_identities) "
    "+ (select coalesce(sum(total_tokens), 0) from int_ai_usage_resolved_to_person_day u "
    "where person_id is not null and not exists (select 1 from int_person_weeks_scoped s "
    "where s.person_id = u.person_id and s.week = u.week))"
)

PERSON_WEEK_COLUMNS = [
    "person_key",
    "team",
    "week",
    "is_ai_user",
    "ai_rows",
    "ai_requests",
    "ai_active_days",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "total_tokens",
    "cost_micro_usd",
    "unpriced_tokens",
    "merged_prs",
    "merged_additions",
    "merged_deletions",
    "closed_tickets",
    "closed_bug_tickets",
]


def mart_suites() -> list[Suite]:
    """One suite per mart the dashboard reads: a broken mart is a bug, so these stop the build."""
    from pipelines.quality.analytics_checks import analytics_suites  # it imports this module

    non_negative = ["total_tokens", "cost_micro_usd", "unpriced_tokens", "merged_prs", "closed_tickets"]
    return [
        Suite(
            "mart: fct_person_weeks",
            "select * from fct_person_weeks",
            [
                E.ExpectTableColumnsToMatchSet(column_set=PERSON_WEEK_COLUMNS, exact_match=True),
                E.ExpectCompoundColumnsToBeUnique(column_list=["person_key", "week"]),
                E.ExpectColumnValuesToNotBeNull(column="team"),
                E.ExpectColumnValuesToBeBetween(column="ai_active_days", min_value=0, max_value=7),
                *[E.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in non_negative],
            ],
            incremental_by="week",
        ),
        Suite(
            "mart: fct_person_week_tools",
            "select * from fct_person_week_tools",
            [
                E.ExpectCompoundColumnsToBeUnique(column_list=["person_key", "week", "tool"]),
                E.ExpectColumnValuesToBeBetween(column="total_tokens", min_value=0),
                E.ExpectColumnValuesToBeBetween(column="cost_micro_usd", min_value=0),
            ],
            incremental_by="week",
        ),
        Suite(
            "mart: dim_people",
            "select * from dim_people",
            [
                E.ExpectColumnValuesToBeUnique(column="person_id"),
                E.ExpectColumnValuesToBeUnique(column="person_key"),
                E.ExpectColumnValuesToNotBeNull(column="team"),
            ],
        ),
        Suite(
            "mart: dim_tools",
            "select * from dim_tools",
            [
                E.ExpectColumnValuesToBeUnique(column="tool"),
                E.ExpectColumnValuesToBeBetween(column="total_tokens", min_value=0),
            ],
        ),
        Suite(
            "mart: fct_unmatched_identities",
            "select * from fct_unmatched_identities",
            [
                E.ExpectCompoundColumnsToBeUnique(column_list=["source", "identity_key"]),
                E.ExpectColumnValuesToBeBetween(column="tokens", min_value=0),
            ],
            [
                SqlCheck(
                    "every loaded token is in a person-week, unmatched, or outside its person's employment",
                    f"select abs(({TOKENS_LOADED}) - ({TOKENS_PLACED}))",
                    f"select 'loaded ' || ({TOKENS_LOADED}) || ', placed ' || ({TOKENS_PLACED})",
                    severity="error",
                )
            ],
        ),
        Suite(
            "mart: fct_merged_pull_requests",
            "select repo, number, created_at, merged_at, is_agent, agent from fct_merged_pull_requests",
            [
                E.ExpectCompoundColumnsToBeUnique(column_list=["repo", "number"]),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="merged_at", column_B="created_at", or_equal=True
                ),
                E.ExpectColumnValuesToNotBeNull(column="is_agent"),
            ],
            [
                SqlCheck(
                    "an agent PR names its agent, a human one none",
                    "select count(*) from fct_merged_pull_requests where is_agent <> (agent is not null)",
                    "select repo || '#' || number from fct_merged_pull_requests "
                    "where is_agent <> (agent is not null) order by 1 limit 5",
                    severity="error",
                )
            ],
        ),
        *analytics_suites(),
    ]
