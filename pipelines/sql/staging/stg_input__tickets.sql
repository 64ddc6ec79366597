-- stg_input__tickets: typed tickets; resolved_at empty means not resolved.
-- grain: one row per input row of tickets
with

source as (select * from raw_tickets),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _source_problem as source_problem,
        nullif(trim(ticket_id::varchar), '') as ticket_id,
        nullif(lower(trim(assignee::varchar)), '') as assignee_key,
        try_cast(created_at as timestamptz) as created_at,
        try_cast(resolved_at as timestamptz) as resolved_at,
        coalesce(nullif(trim(issue_type::varchar), ''), 'Unknown') as issue_type,
        coalesce(nullif(trim(status::varchar), ''), 'Unknown') as status,
        nullif(lower(trim(agent::varchar)), '') as agent,  -- delegated to a coding agent; the assignee keeps the credit
        resolved_at is not null and try_cast(resolved_at as timestamptz) is null as bad_resolved_at,
        -- an infinite, pre-2000 or future time is a clock or parsing error
        not (isfinite(try_cast(created_at as timestamptz))
            and try_cast(created_at as timestamptz) between timestamptz '2000-01-01' and now() + interval 1 day)
            or not coalesce(isfinite(try_cast(resolved_at as timestamptz))
                and try_cast(resolved_at as timestamptz) between timestamptz '2000-01-01' and now() + interval 1 day, true) as odd_time,
    from source
),

final as (
    select
        * exclude (source_problem, bad_resolved_at, odd_time),
        case
            when source_problem is not null then null
            when ticket_id is null then 'ticket_id'
            when created_at is null then 'created_at'
            when bad_resolved_at then 'resolved_at'
            when odd_time then 'created_at'
            when resolved_at < created_at then 'resolved_at'
        end as reject_column,
        case
            when source_problem is not null then source_problem
            when ticket_id is null then 'ticket_id is empty'
            when created_at is null then 'created_at is not an ISO-8601 timestamp'
            when bad_resolved_at then 'resolved_at is not an ISO-8601 timestamp'
            when odd_time then 'created_at or resolved_at is not between 2000-01-01 and the build time'
            when resolved_at < created_at then 'resolved_at is before created_at'
        end as reject_reason,
    from typed
)

select * from final
