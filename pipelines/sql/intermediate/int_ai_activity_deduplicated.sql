-- int_ai_activity_deduplicated: activity signals with exact repeats removed (a file sent twice).
-- grain: one row per user key, day, tool and metric (the first value read wins)
with

activity as (select * from stg_input__ai_activity where reject_reason is null),

final as (
    select occurred_on, user_key, tool, metric, value,
    from activity
    qualify row_number() over (partition by user_key, occurred_on, tool, metric order by source_file, source_row) = 1
)

select * from final
