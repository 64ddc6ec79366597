-- stg_input__ai_activity: non-token activity signals (lines, acceptances, sessions, credits).
-- grain: one row per input row of ai_activity
with

source as (select * from raw_ai_activity),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _source_problem as source_problem,
        try_cast(occurred_on as date) as occurred_on,
        nullif(lower(trim("user")), '') as user_key,
        coalesce(nullif(lower(trim(tool)), ''), 'unknown') as tool,
        nullif(lower(trim(metric)), '') as metric,
        try_cast(value as double) as value,
    from source
),

final as (
    select
        * exclude (source_problem),
        case
            when source_problem is not null then null
            when occurred_on is null then 'occurred_on'
            when user_key is null then 'user'
            when metric is null then 'metric'
            when value is null or value < 0 then 'value'
        end as reject_column,
        case
            when source_problem is not null then source_problem
            when occurred_on is null then 'occurred_on is not a date (expected YYYY-MM-DD)'
            when user_key is null then 'user is empty'
            when metric is null then 'metric is empty'
            when value is null or value < 0 then 'value is not a non-negative number'
        end as reject_reason,
    from typed
)

select * from final
