-- int_ai_usage_repeated_event_hashes: 64-bit hashes of event_ids that occur more than once.
-- Grouping hashes of one column is far cheaper than sorting every event; the first stage then pays
-- for an exact window only on rows whose hash repeats (true repeats, and the rare collision).
-- grain: one row per repeated event_id hash
with

events as (select event_id from stg_input__ai_usage where event_id is not null),

final as (
    select hash(event_id) as event_hash from events group by 1 having count(*) > 1
)

select * from final
