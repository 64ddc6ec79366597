-- int_people_keyed: each person's pseudonym, the only person column the fact marts carry.
-- person_key = the first 16 hex digits of HMAC-SHA256(secret, person_id), from the build's
-- tokenyield_person_key() (pipelines/privacy/pseudonyms.py); the secret never enters the warehouse.
-- grain: one row per person_id
with

people as (select person_id from int_people_deduplicated),

final as (
    select person_id, tokenyield_person_key(person_id) as person_key,
    from people
)

select * from final
