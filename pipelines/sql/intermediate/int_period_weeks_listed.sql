-- int_period_weeks_listed: the ISO weeks (Monday start, UTC) from the first to the last week that
-- holds an AI usage event, a merged PR or a resolved ticket.
-- grain: one row per week
with

event_weeks as (
    select min(week) as first_week, max(week) as last_week from int_ai_usage_resolved_to_person_day
    union all
    select min(merged_week), max(merged_week) from int_pull_requests_resolved
    union all
    select min(resolved_week), max(resolved_week) from int_tickets_resolved
),

bounds as (select min(first_week) as first_week, max(last_week) as last_week from event_weeks),

final as (
    select unnest(generate_series(first_week, last_week, interval 7 day))::date as week,
    from bounds
    where first_week is not null
)

select * from final
