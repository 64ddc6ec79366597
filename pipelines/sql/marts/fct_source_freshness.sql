-- fct_source_freshness: the time of the last event per source table.
-- grain: one row per source table
with

final as (
    select 'ai_usage' as source, max(last_event_at) as last_event_at from int_ai_usage_resolved_to_person_day
    union all
    select 'pull_requests', max(coalesce(merged_at, created_at)) from int_pull_requests_resolved
    union all
    select 'tickets', max(coalesce(resolved_at, created_at)) from int_tickets_resolved
)

select * from final
