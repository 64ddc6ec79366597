-- fct_unmatched_identities: identities that match nobody in people, with what they carry.
-- They are left out of every figure and reported here instead. Bots are not unmatched people.
-- grain: one row per source table per identity key
with

usage as (
    select
        'ai_usage' as source, user_key as identity_key,
        sum(source_rows)::bigint as rows, sum(total_tokens)::bigint as tokens, sum(cost_micro_usd)::bigint as cost_micro_usd,
        0 as pull_requests, 0 as merged_prs, 0 as tickets, 0 as closed_tickets,
        max(last_event_at) as last_seen_at,
    from int_ai_usage_resolved_to_person_day
    where person_id is null
    group by all
),

pull_requests as (
    select
        -- an agent's PR without a delegator shows under the agent's login
        'pull_requests' as source, coalesce(credited_key, author_key) as identity_key,
        count(*) as rows, 0 as tokens, 0 as cost_micro_usd,
        count(*) as pull_requests, count(merged_at) as merged_prs, 0 as tickets, 0 as closed_tickets,
        max(coalesce(merged_at, created_at)) as last_seen_at,
    from int_pull_requests_resolved
    where person_id is null and not is_bot and coalesce(credited_key, author_key) is not null
    group by all
),

tickets as (
    select
        'tickets' as source, assignee_key as identity_key,
        count(*) as rows, 0 as tokens, 0 as cost_micro_usd,
        0 as pull_requests, 0 as merged_prs, count(*) as tickets, count(resolved_at) as closed_tickets,
        max(coalesce(resolved_at, created_at)) as last_seen_at,
    from int_tickets_resolved
    where person_id is null and assignee_key is not null
    group by all
),

final as (
    select * from usage
    union all by name
    select * from pull_requests
    union all by name
    select * from tickets
)

select * from final
