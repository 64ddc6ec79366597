-- int_ai_usage_resolved_to_person_day: user-day usage matched to people and priced.
-- Rows without a reported cost are priced from the price table (USD per million tokens, which is
-- exactly micro-dollars per token). A model with no price keeps its tokens as unpriced_tokens.
-- grain: one row per user key, UTC day, tool, model and tokens_reported (person_id null = unmatched)
-- incremental by: usage_date (a row reads only the rows of its own day and unchanged tables)
-- time column: usage_date
with

usage as (select * from int_ai_usage_aggregated_to_user_day),

identity_keys as (select * from int_identity_keys_resolved),

prices as (select * from config_prices),

-- read from the table itself, not from the usage CTE: a CTE read twice is materialised, and a
-- filter on usage_date (an incremental build's) would no longer reach the scan
models as (select distinct model from int_ai_usage_aggregated_to_user_day),

model_prices as (
    -- exact id first, then the longest listed id the model starts with (claude-sonnet-4-5-20250929)
    select models.model, prices.* exclude (model),
    from models
    join prices on models.model = prices.model or starts_with(models.model, prices.model || '-')
    qualify row_number() over (partition by models.model order by length(prices.model) desc) = 1
),

priced as (
    select
        usage.*,
        model_prices.model is not null as has_price,
        round(
            usage.unpriced_input_tokens * model_prices.input_usd_per_mtok
            + usage.unpriced_output_tokens * model_prices.output_usd_per_mtok
            + usage.unpriced_cache_read_tokens * model_prices.cache_read_usd_per_mtok
            + usage.unpriced_cache_write_tokens * model_prices.cache_write_usd_per_mtok
        )::bigint as list_priced_micro_usd,
    from usage
    left join model_prices using (model)
),

final as (
    select
        identity_keys.person_id,
        priced.user_key,
        priced.usage_date,
        date_trunc('week', priced.usage_date)::date as week,
        priced.tool,
        priced.model,
        priced.tokens_reported,
        priced.source_rows,
        priced.requests,
        priced.input_tokens,
        priced.output_tokens,
        priced.cache_read_tokens,
        priced.cache_write_tokens,
        priced.input_tokens + priced.output_tokens + priced.cache_read_tokens + priced.cache_write_tokens
            as total_tokens,
        priced.reported_cost_micro_usd + coalesce(priced.list_priced_micro_usd, 0) as cost_micro_usd,
        case when priced.has_price then 0 else
            priced.unpriced_input_tokens + priced.unpriced_output_tokens
            + priced.unpriced_cache_read_tokens + priced.unpriced_cache_write_tokens
        end as unpriced_tokens,
        priced.last_event_at,
    from priced
    left join identity_keys on identity_keys.identity_key = priced.user_key
)

select * from final
