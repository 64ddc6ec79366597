-- dim_tools: each AI tool seen, and whether it reports tokens or only activity.
-- grain: one row per tool
with

usage as (select * from int_ai_usage_resolved_to_person_day),

final as (
    select
        tool,
        bool_or(tokens_reported) as reports_tokens,
        string_agg(distinct model, ', ' order by model) as models,
        sum(source_rows)::bigint as rows,
        sum(requests)::bigint as requests,
        sum(total_tokens)::bigint as total_tokens,
        sum(unpriced_tokens)::bigint as unpriced_tokens,
    from usage
    group by all
)

select * from final
