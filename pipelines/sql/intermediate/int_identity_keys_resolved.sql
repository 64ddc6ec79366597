-- int_identity_keys_resolved: every key a source may use for a person, and who it is.
-- Matching order (docs/data-contract.md): people.email, then identities.external_id, then person_id.
-- grain: one row per identity key (lower case)
with

people as (select * from int_people_deduplicated),

identities as (
    -- identities.person_id names a person by person_id or by email (importers that only know an
    -- account's email write the email there); anything else names nobody and is ignored
    select identities.identity_key, identities.system, coalesce(by_id.person_id, by_email.person_id) as person_id,
    from stg_input__identities as identities
    left join people as by_id on by_id.person_id = identities.person_id
    left join people as by_email on by_email.email = lower(identities.person_id)
    where identities.reject_reason is null and coalesce(by_id.person_id, by_email.person_id) is not null
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
