-- fct_merged_pull_requests: merged pull requests by people in scope, for quality guardrails.
-- A PR is reverted when a merged revert names it within 21 days (int_pull_request_reverts_matched);
-- quality-adjusted output leaves out reverted PRs and the reverts themselves.
-- changed_lines is NULL when the source gave no size: size figures leave such PRs out.
-- is_agent: written by a coding agent (agent names which); human_reviewed: approved by a human other
-- than the author and the delegator before merge (NULL: the reviews were not read).
-- grain: one row per merged pull request (repo, number) by a matched person
-- incremental by: week (a row reads only its own pull request and whether its person-week is in scope)
with

pull_requests as (select * from int_pull_requests_resolved where person_id is not null and merged_at is not null),

scoped as (select person_id, week from int_person_weeks_scoped),

keyed as (select * from int_people_keyed),

reverts as (select * from int_pull_request_reverts_matched),

reverted as (
    select repo, reverted_number as number, min(number) as reverted_by,
    from reverts
    group by all
),

final as (
    select
        pull_requests.repo, pull_requests.number, keyed.person_key, pull_requests.merged_week as week,
        pull_requests.created_at, pull_requests.merged_at, pull_requests.additions, pull_requests.deletions,
        pull_requests.title,
        pull_requests.additions + pull_requests.deletions as changed_lines,
        pull_requests.is_agent, pull_requests.agent, pull_requests.human_reviewed,
        (epoch(pull_requests.merged_at) - epoch(pull_requests.created_at)) / 3600 as hours_to_merge,
        reverts.number is not null as is_revert,
        reverted.number is not null as is_reverted,
        reverted.reverted_by,
    from pull_requests
    join keyed on keyed.person_id = pull_requests.person_id
    semi join scoped on scoped.person_id = pull_requests.person_id and scoped.week = pull_requests.merged_week
    left join reverts on reverts.repo = pull_requests.repo and reverts.number = pull_requests.number
    left join reverted on reverted.repo = pull_requests.repo and reverted.number = pull_requests.number
)

select * from final
