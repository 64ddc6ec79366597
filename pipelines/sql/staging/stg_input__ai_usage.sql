-- stg_input__ai_usage: types every usage row and says why a row cannot be used.
-- grain: one row per input row of ai_usage (requests or aggregates; nothing is summed here)
-- time column: occurred_at (UTC)
with

source as (select * from raw_ai_usage),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _source_problem as source_problem,
        try_cast(occurred_at as timestamptz) as occurred_at,
        -- the UTC day, from the microseconds since 1970: a cast to date goes through the time-zone
        -- library and costs about 1 s per 30 million rows
        case when isfinite(try_cast(occurred_at as timestamptz)) then date '1970-01-01'
            + floor(epoch_us(try_cast(occurred_at as timestamptz)) / 86400000000)::integer end as usage_date,
        nullif(lower(trim("user")), '') as user_key,
        coalesce(nullif(lower(trim(tool)), ''), 'unknown') as tool,
        coalesce(nullif(lower(trim(model)), ''), 'unknown') as model,
        try_cast(input_tokens as bigint) as input_tokens,
        try_cast(output_tokens as bigint) as output_tokens,
        coalesce(try_cast(cache_read_tokens as bigint), 0) as cache_read_tokens,
        coalesce(try_cast(cache_write_tokens as bigint), 0) as cache_write_tokens,
        coalesce(try_cast(requests as bigint), 1) as requests,
        -- cost_usd arrives in dollars; the warehouse keeps integer micro-dollars
        round(try_cast(cost_usd as decimal(18, 6)) * 1000000)::bigint as reported_cost_micro_usd,
        -- trimmed only when it has a space at either end: trimming 30 million ids costs about 1 s
        case when starts_with(event_id::varchar, ' ') or ends_with(event_id::varchar, ' ')
            then nullif(trim(event_id::varchar), '') else nullif(event_id::varchar, '') end as event_id,
        coalesce(try_cast(tokens_reported as boolean), true) as tokens_reported,
        cost_usd is not null and try_cast(cost_usd as decimal(18, 6)) is null as bad_cost,
        cache_read_tokens is not null and try_cast(cache_read_tokens as bigint) is null as bad_cache_read,
        cache_write_tokens is not null and try_cast(cache_write_tokens as bigint) is null as bad_cache_write,
        requests is not null and try_cast(requests as bigint) is null as bad_requests,
        -- text must be digits only: a cast alone would round 12.5 and read 0x10 or 1e3
        typeof(input_tokens) = 'VARCHAR'
            and not regexp_full_match(trim(input_tokens::varchar), '[0-9]+') as bad_input,
        typeof(output_tokens) = 'VARCHAR'
            and not regexp_full_match(trim(output_tokens::varchar), '[0-9]+') as bad_output,
        -- an infinite, pre-2000 or future time is a clock or parsing error, not an event
        not (isfinite(try_cast(occurred_at as timestamptz))
            and try_cast(occurred_at as timestamptz) between timestamptz '2000-01-01' and now() + interval 1 day) as odd_time,
    from source
),

final as (
    select
        * exclude (source_problem, bad_cost, bad_cache_read, bad_cache_write, bad_requests, bad_input, bad_output, odd_time),
        case
            when source_problem is not null then null
            when occurred_at is null or odd_time then 'occurred_at'
            when user_key is null then 'user'
            when input_tokens is null or input_tokens < 0 or bad_input then 'input_tokens'
            when output_tokens is null or output_tokens < 0 or bad_output then 'output_tokens'
            when bad_cache_read or cache_read_tokens < 0 then 'cache_read_tokens'
            when bad_cache_write or cache_write_tokens < 0 then 'cache_write_tokens'
            when bad_requests or requests < 0 then 'requests'
            when bad_cost or reported_cost_micro_usd < 0 then 'cost_usd'
        end as reject_column,
        case
            when source_problem is not null then source_problem
            when occurred_at is null then 'occurred_at is not an ISO-8601 timestamp'
            when odd_time then 'occurred_at is not between 2000-01-01 and the build time'
            when user_key is null then 'user is empty'
            when input_tokens is null or input_tokens < 0 or bad_input then 'input_tokens is not a non-negative integer'
            when output_tokens is null or output_tokens < 0 or bad_output then 'output_tokens is not a non-negative integer'
            when bad_cache_read or cache_read_tokens < 0 then 'cache_read_tokens is not a non-negative integer'
            when bad_cache_write or cache_write_tokens < 0 then 'cache_write_tokens is not a non-negative integer'
            when bad_requests or requests < 0 then 'requests is not a non-negative integer'
            when bad_cost or reported_cost_micro_usd < 0 then 'cost_usd is not a non-negative number'
        end as reject_reason,
    from typed
)

select * from final
