-- int_identity_keys_resolved: every key a source may use for a person, and who it is.
-- Matching order (docs/data-contract.md): people.email, then identities.external_id, then person_id.
-- grain: one row per identity key (lower case)
with

people as (select * from int_people_deduplicated),

identities as (
    select * from stg_input__identities
    where reject_reason is null and person_id in (select person_id from people)
),

candidates as (
    select email as identity_key, person_id, 1 as priority, 'email' as matched_by from people
    union all
    select identity_key, person_id, 2 as priority, 'identity:' || system as matched_by from identities
    union all
    select lower(person_id) as identity_key, person_id, 3 as priority, 'person_id' as matched_by from people
),

final as (
    select identity_key, person_id, matched_by,
    from candidates
    qualify row_number() over (partition by identity_key order by priority, person_id) = 1
)

select * from final
