-- stg_input__tickets: typed tickets; resolved_at empty means not resolved.
-- grain: one row per input row of tickets
with

source as (select * from raw_tickets),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        nullif(trim(ticket_id::varchar), '') as ticket_id,
        nullif(lower(trim(assignee::varchar)), '') as assignee_key,
        try_cast(created_at as timestamptz) as created_at,
        try_cast(resolved_at as timestamptz) as resolved_at,
        coalesce(nullif(trim(issue_type::varchar), ''), 'Unknown') as issue_type,
        coalesce(nullif(trim(status::varchar), ''), 'Unknown') as status,
        resolved_at is not null and try_cast(resolved_at as timestamptz) is null as bad_resolved_at,
    from source
),

final as (
    select
        * exclude (bad_resolved_at),
        case
            when ticket_id is null then 'ticket_id'
            when created_at is null then 'created_at'
            when bad_resolved_at then 'resolved_at'
            when resolved_at < created_at then 'resolved_at'
        end as reject_column,
        case
            when ticket_id is null then 'ticket_id is empty'
            when created_at is null then 'created_at is not an ISO-8601 timestamp'
            when bad_resolved_at then 'resolved_at is not an ISO-8601 timestamp'
            when resolved_at < created_at then 'resolved_at is before created_at'
        end as reject_reason,
    from typed
)

select * from final
