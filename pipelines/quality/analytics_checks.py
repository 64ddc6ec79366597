"""Suites for the marts and intermediate tables the analytics read (docs/methods.md).

Registered in pipelines.quality.checks.mart_suites: a broken analytics mart is a bug, so these stop
the build like every other mart suite.
"""

from __future__ import annotations

from pipelines.quality.checks import E, SqlCheck, Suite

ACTIVITY_COLUMNS = [
    "person_key",
    "team",
    "week",
    "active_days",
    "ai_days",
    "pr_days",
    "ticket_days",
    "ai_days_without_output",
    "weekend_ai_days",
    "daily_token_cv",
]
DAYS = ["active_days", "ai_days", "pr_days", "ticket_days", "ai_days_without_output"]


def analytics_suites() -> list[Suite]:
    return [
        Suite(
            "mart: fct_person_week_activity",
            "select * from fct_person_week_activity",
            [
                E.ExpectTableColumnsToMatchSet(column_set=ACTIVITY_COLUMNS, exact_match=True),
                E.ExpectCompoundColumnsToBeUnique(column_list=["person_key", "week"]),
                *[E.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=7) for c in DAYS],
                E.ExpectColumnValuesToBeBetween(column="weekend_ai_days", min_value=0, max_value=2),
                # a week with every token on one day has CV sqrt(6) ≈ 2.449
                E.ExpectColumnValuesToBeBetween(column="daily_token_cv", min_value=0, max_value=2.45),
            ],
            [
                SqlCheck(
                    "active days are at least AI days, PR days and ticket days",
                    "select count(*) from fct_person_week_activity "
                    "where active_days < greatest(ai_days, pr_days, ticket_days)",
                    "select person_key || ' ' || week from fct_person_week_activity "
                    "where active_days < greatest(ai_days, pr_days, ticket_days) limit 5",
                    severity="error",
                ),
                SqlCheck(
                    "the activity mart has the person-weeks of fct_person_weeks",
                    "select abs((select count(*) from fct_person_week_activity) - (select count(*) from fct_person_weeks))",
                    "select 'activity ' || (select count(*) from fct_person_week_activity) || ', person-weeks ' "
                    "|| (select count(*) from fct_person_weeks)",
                    severity="error",
                ),
            ],
            incremental_by="week",
        ),
        Suite(
            "mart: fct_merged_pull_requests quality",
            "select repo, number, changed_lines, hours_to_merge, is_revert, is_reverted, reverted_by "
            "from fct_merged_pull_requests",
            [
                E.ExpectColumnValuesToBeBetween(column="changed_lines", min_value=0),
                E.ExpectColumnValuesToBeBetween(column="hours_to_merge", min_value=0),
                E.ExpectColumnValuesToNotBeNull(column="is_revert"),
                E.ExpectColumnValuesToNotBeNull(column="is_reverted"),
            ],
        ),
        Suite(
            "intermediate: int_pull_request_reverts_matched",
            "select * from int_pull_request_reverts_matched",
            [
                E.ExpectCompoundColumnsToBeUnique(column_list=["repo", "number"]),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="merged_at", column_B="reverted_merged_at", or_equal=True
                ),
            ],
            [
                SqlCheck(
                    "a revert merges within 21 days of the PR it reverts",
                    "select count(*) from int_pull_request_reverts_matched "
                    "where merged_at > reverted_merged_at + interval 21 days",
                    "select repo || '#' || number || ' reverts #' || reverted_number "
                    "from int_pull_request_reverts_matched where merged_at > reverted_merged_at + interval 21 days limit 5",
                    severity="error",
                ),
            ],
        ),
    ]
