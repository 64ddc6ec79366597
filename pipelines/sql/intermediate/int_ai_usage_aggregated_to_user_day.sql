-- int_ai_usage_aggregated_to_user_day: the first stage, and the only model that reads per-request
-- rows. It deduplicates (by event_id, or by the whole row when there is none) and sums to
-- user-day. Later stages read only this table, so this stage can run on another engine.
-- grain: one row per user key, UTC day, tool, model and tokens_reported
-- time column: usage_date
with

valid as not materialized (
    select * exclude (reject_column, reject_reason)
    from stg_input__ai_usage
    where reject_reason is null
),

repeated_hashes as (select * from int_ai_usage_repeated_event_hashes),

first_of_repeated as (
    select valid.* from valid
    semi join repeated_hashes on hash(valid.event_id) = repeated_hashes.event_hash
    qualify row_number() over (partition by event_id order by source_file, source_row) = 1
),

single_events as (
    select valid.* from valid
    anti join repeated_hashes on hash(valid.event_id) = repeated_hashes.event_hash
    where valid.event_id is not null
),

without_event_id as (
    select distinct
        occurred_at, user_key, tool, model, input_tokens, output_tokens, cache_read_tokens,
        cache_write_tokens, requests, reported_cost_micro_usd, tokens_reported,
    from valid
    where event_id is null
),

deduplicated as (
    select * exclude (source_file, source_row, event_id) from single_events
    union all by name
    select * exclude (source_file, source_row, event_id) from first_of_repeated
    union all by name
    select * from without_event_id
),

final as (
    select
        user_key,
        (occurred_at at time zone 'UTC')::date as usage_date,
        tool,
        model,
        tokens_reported,
        count(*) as source_rows,
        sum(requests)::bigint as requests,
        sum(input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cache_read_tokens)::bigint as cache_read_tokens,
        sum(cache_write_tokens)::bigint as cache_write_tokens,
        coalesce(sum(reported_cost_micro_usd), 0)::bigint as reported_cost_micro_usd,
        -- tokens of rows that came without a cost: the next stage prices them per model
        coalesce(sum(input_tokens) filter (where reported_cost_micro_usd is null), 0)::bigint as unpriced_input_tokens,
        coalesce(sum(output_tokens) filter (where reported_cost_micro_usd is null), 0)::bigint as unpriced_output_tokens,
        coalesce(sum(cache_read_tokens) filter (where reported_cost_micro_usd is null), 0)::bigint as unpriced_cache_read_tokens,
        coalesce(sum(cache_write_tokens) filter (where reported_cost_micro_usd is null), 0)::bigint as unpriced_cache_write_tokens,
        max(occurred_at) as last_event_at,
    from deduplicated
    group by all
)

select * from final
