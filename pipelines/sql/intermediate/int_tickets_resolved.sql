-- int_tickets_resolved: one version of each ticket, its assignee matched to a person.
-- A repeated ticket_id keeps the last row read.
-- grain: one row per ticket_id
with

tickets as (select * from stg_input__tickets where reject_reason is null),

identity_keys as (select * from int_identity_keys_resolved),

latest as (
    select * exclude (reject_column, reject_reason)
    from tickets
    qualify row_number() over (partition by ticket_id order by source_file desc, source_row desc) = 1
),

final as (
    select
        latest.ticket_id,
        latest.assignee_key,
        identity_keys.person_id,
        latest.created_at,
        latest.resolved_at,
        date_trunc('week', latest.resolved_at at time zone 'UTC')::date as resolved_week,
        latest.issue_type,
        latest.status,
        latest.agent,
    from latest
    left join identity_keys on identity_keys.identity_key = latest.assignee_key
)

select * from final
