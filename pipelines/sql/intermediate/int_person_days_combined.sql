-- int_person_days_combined: each person's AI use, pull requests and tickets on each UTC day,
-- for active days (the effort control) and the burst signal of tokenmaxxing.
-- grain: one row per person per UTC day with any AI use, PR opened or merged, or ticket resolved
-- incremental by: day (a row reads only the rows of its own day and unchanged tables)
-- time column: day
with

usage as (
    select person_id, usage_date as day,
        sum(source_rows)::bigint as ai_rows,
        sum(total_tokens)::bigint as tokens,
        sum(cost_micro_usd)::bigint as cost_micro_usd,
    from int_ai_usage_resolved_to_person_day
    where person_id is not null
    group by all
),

pull_requests as (select * from int_pull_requests_resolved where person_id is not null),

opened as (
    select person_id, (created_at at time zone 'UTC')::date as day, count(*) as prs_opened,
    from pull_requests
    group by all
),

merged as (
    select person_id, (merged_at at time zone 'UTC')::date as day, count(*) as prs_merged,
    from pull_requests
    where merged_at is not null
    group by all
),

resolved as (
    select person_id, (resolved_at at time zone 'UTC')::date as day, count(*) as tickets_resolved,
    from int_tickets_resolved
    where person_id is not null and resolved_at is not null
    group by all
),

final as (
    select
        person_id,
        day,
        date_trunc('week', day)::date as week,
        coalesce(usage.ai_rows, 0) as ai_rows,
        coalesce(usage.tokens, 0) as tokens,
        coalesce(usage.cost_micro_usd, 0) as cost_micro_usd,
        coalesce(opened.prs_opened, 0) as prs_opened,
        coalesce(merged.prs_merged, 0) as prs_merged,
        coalesce(resolved.tickets_resolved, 0) as tickets_resolved,
    from usage
    full join opened using (person_id, day)
    full join merged using (person_id, day)
    full join resolved using (person_id, day)
)

select * from final
