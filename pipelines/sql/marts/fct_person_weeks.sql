-- fct_person_weeks: AI usage and output of each person in each week they are in scope.
-- Unmatched identities and bots are not here (see fct_unmatched_identities, fct_bot_pull_requests).
-- People appear only as person_key (a keyed pseudonym); names live in dim_people.
-- grain: one row per person per ISO week in scope
-- incremental by: week (a row reads only the rows of its own week and unchanged tables)
-- time column: week (Monday, UTC)
with

scoped as (select * from int_person_weeks_scoped),

keyed as (select * from int_people_keyed),

usage_days as (
    -- per day first, then per week: the days are counted without count(distinct), which would
    -- keep a filter on week (an incremental build's) from reaching the scan
    select
        person_id, week, usage_date,
        sum(source_rows) as ai_rows,
        sum(requests) as ai_requests,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(total_tokens) as total_tokens,
        sum(cost_micro_usd) as cost_micro_usd,
        sum(unpriced_tokens) as unpriced_tokens,
    from int_ai_usage_resolved_to_person_day
    where person_id is not null
    group by all
),

usage as (
    select
        person_id, week,
        sum(ai_rows)::bigint as ai_rows,
        sum(ai_requests)::bigint as ai_requests,
        sum(input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cache_read_tokens)::bigint as cache_read_tokens,
        sum(cache_write_tokens)::bigint as cache_write_tokens,
        sum(total_tokens)::bigint as total_tokens,
        sum(cost_micro_usd)::bigint as cost_micro_usd,
        sum(unpriced_tokens)::bigint as unpriced_tokens,
        count(*) as ai_active_days,
    from usage_days
    group by all
),

merged as (
    select
        person_id, merged_week as week,
        count(*) as merged_prs,
        sum(additions)::bigint as merged_additions,
        sum(deletions)::bigint as merged_deletions,
    from int_pull_requests_resolved
    where person_id is not null and merged_at is not null
    group by all
),

closed as (
    select
        person_id, resolved_week as week,
        count(*) as closed_tickets,
        count(*) filter (where lower(issue_type) = 'bug') as closed_bug_tickets,
    from int_tickets_resolved
    where person_id is not null and resolved_at is not null
    group by all
),

final as (
    select
        keyed.person_key,
        scoped.team,
        scoped.week,
        coalesce(usage.ai_rows, 0) > 0 as is_ai_user,
        coalesce(usage.ai_rows, 0) as ai_rows,
        coalesce(usage.ai_requests, 0) as ai_requests,
        coalesce(usage.ai_active_days, 0) as ai_active_days,
        coalesce(usage.input_tokens, 0) as input_tokens,
        coalesce(usage.output_tokens, 0) as output_tokens,
        coalesce(usage.cache_read_tokens, 0) as cache_read_tokens,
        coalesce(usage.cache_write_tokens, 0) as cache_write_tokens,
        coalesce(usage.total_tokens, 0) as total_tokens,
        coalesce(usage.cost_micro_usd, 0) as cost_micro_usd,
        coalesce(usage.unpriced_tokens, 0) as unpriced_tokens,
        coalesce(merged.merged_prs, 0) as merged_prs,
        coalesce(merged.merged_additions, 0) as merged_additions,
        coalesce(merged.merged_deletions, 0) as merged_deletions,
        coalesce(closed.closed_tickets, 0) as closed_tickets,
        coalesce(closed.closed_bug_tickets, 0) as closed_bug_tickets,
    from scoped
    join keyed using (person_id)
    left join usage using (person_id, week)
    left join merged using (person_id, week)
    left join closed using (person_id, week)
)

select * from final
