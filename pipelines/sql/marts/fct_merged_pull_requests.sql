-- fct_merged_pull_requests: merged pull requests by people in scope, for quality guardrails.
-- grain: one row per merged pull request (repo, number) by a matched person
with

pull_requests as (select * from int_pull_requests_resolved where person_id is not null and merged_at is not null),

scoped as (select person_id, week from int_person_weeks_scoped),

final as (
    select
        pull_requests.repo, pull_requests.number, pull_requests.person_id, pull_requests.merged_week as week,
        pull_requests.created_at, pull_requests.merged_at, pull_requests.additions, pull_requests.deletions,
        pull_requests.title,
    from pull_requests
    semi join scoped on scoped.person_id = pull_requests.person_id and scoped.week = pull_requests.merged_week
)

select * from final
