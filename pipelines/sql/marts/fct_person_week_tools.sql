-- fct_person_week_tools: AI usage split by tool, for the tool filter.
-- grain: one row per person per ISO week in scope per tool
-- incremental by: week (a row reads only the rows of its own week and unchanged tables)
-- time column: week (Monday, UTC)
with

scoped as (select person_id, week from int_person_weeks_scoped),

usage as (select * from int_ai_usage_resolved_to_person_day where person_id is not null),

keyed as (select * from int_people_keyed),

final as (
    select
        keyed.person_key,
        usage.week,
        usage.tool,
        sum(usage.source_rows)::bigint as ai_rows,
        sum(usage.requests)::bigint as ai_requests,
        sum(usage.total_tokens)::bigint as total_tokens,
        sum(usage.cost_micro_usd)::bigint as cost_micro_usd,
        sum(usage.unpriced_tokens)::bigint as unpriced_tokens,
    from usage
    join keyed on keyed.person_id = usage.person_id
    semi join scoped on scoped.person_id = usage.person_id and scoped.week = usage.week
    group by all
)

select * from final
