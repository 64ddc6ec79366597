-- stg_input__pull_requests: typed pull requests; merged_at empty means not merged.
-- A missing size stays NULL (GitHub's PR list and GitLab's MR list carry none): never 0.
-- grain: one row per input row of pull_requests
with

source as (select * from raw_pull_requests),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _source_problem as source_problem,
        nullif(trim(repo::varchar), '') as repo,
        try_cast(number as bigint) as number,
        nullif(lower(trim(author::varchar)), '') as author_key,
        try_cast(created_at as timestamptz) as created_at,
        try_cast(merged_at as timestamptz) as merged_at,
        try_cast(additions as bigint) as additions,
        try_cast(deletions as bigint) as deletions,
        coalesce(title::varchar, '') as title,
        nullif(trim(head_ref::varchar), '') as head_ref,
        nullif(lower(trim(agent::varchar)), '') as agent,
        nullif(lower(trim(delegator::varchar)), '') as delegator_key,
        try_cast(human_reviewed as boolean) as human_reviewed,
        additions is not null and try_cast(additions as bigint) is null as bad_additions,
        deletions is not null and try_cast(deletions as bigint) is null as bad_deletions,
        human_reviewed is not null and try_cast(human_reviewed as boolean) is null as bad_human_reviewed,
        merged_at is not null and try_cast(merged_at as timestamptz) is null as bad_merged_at,
        -- an infinite, pre-2000 or future time is a clock or parsing error
        not (isfinite(try_cast(created_at as timestamptz))
            and try_cast(created_at as timestamptz) between timestamptz '2000-01-01' and now() + interval 1 day)
            or not coalesce(isfinite(try_cast(merged_at as timestamptz))
                and try_cast(merged_at as timestamptz) between timestamptz '2000-01-01' and now() + interval 1 day, true) as odd_time,
    from source
),

final as (
    select
        * exclude (source_problem, bad_merged_at, odd_time, bad_additions, bad_deletions, bad_human_reviewed),
        case
            when source_problem is not null then null
            when repo is null then 'repo'
            when number is null then 'number'
            when created_at is null then 'created_at'
            when bad_merged_at then 'merged_at'
            when odd_time then 'created_at'
            when merged_at < created_at then 'merged_at'
            when bad_additions or additions < 0 then 'additions'
            when bad_deletions or deletions < 0 then 'deletions'
            when bad_human_reviewed then 'human_reviewed'
        end as reject_column,
        case
            when source_problem is not null then source_problem
            when repo is null then 'repo is empty'
            when number is null then 'number is not an integer'
            when created_at is null then 'created_at is not an ISO-8601 timestamp'
            when bad_merged_at then 'merged_at is not an ISO-8601 timestamp'
            when odd_time then 'created_at or merged_at is not between 2000-01-01 and the build time'
            when merged_at < created_at then 'merged_at is before created_at'
            when bad_additions or additions < 0 then 'additions is not a whole number >= 0'
            when bad_deletions or deletions < 0 then 'deletions is not a whole number >= 0'
            when bad_human_reviewed then 'human_reviewed is not true or false'
        end as reject_reason,
    from typed
)

select * from final
