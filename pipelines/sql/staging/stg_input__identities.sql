-- stg_input__identities: a person's accounts in other systems, keyed in lower case.
-- grain: one row per input row of identities
with

source as (select * from raw_identities),

final as (
    select
        _source_file as source_file,
        _source_row as source_row,
        nullif(trim(person_id::varchar), '') as person_id,
        lower(trim(system::varchar)) as system,
        nullif(lower(trim(external_id::varchar)), '') as identity_key,
        case
            when nullif(trim(person_id::varchar), '') is null then 'person_id'
            when nullif(trim(external_id::varchar), '') is null then 'external_id'
        end as reject_column,
        case
            when nullif(trim(person_id::varchar), '') is null then 'person_id is empty'
            when nullif(trim(external_id::varchar), '') is null then 'external_id is empty'
        end as reject_reason,
    from source
)

select * from final
