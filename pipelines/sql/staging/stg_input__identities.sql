-- stg_input__identities: a person's accounts in other systems, keyed in lower case.
-- grain: one row per input row of identities
with

source as (select * from raw_identities),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _source_problem as source_problem,
        nullif(trim(person_id::varchar), '') as person_id,
        lower(trim(system::varchar)) as system,
        nullif(lower(trim(external_id::varchar)), '') as identity_key,
    from source
),

owners as (
    -- an account claimed by two people belongs to the first claim read
    select *, first_value(lower(person_id)) over (partition by identity_key order by source_file, source_row) as owner,
    from typed
),

final as (
    select
        * exclude (source_problem, owner),
        case
            when source_problem is not null then null
            when person_id is null then 'person_id'
            when identity_key is null then 'external_id'
            when owner is distinct from lower(person_id) then 'person_id'
        end as reject_column,
        case
            when source_problem is not null then source_problem
            when person_id is null then 'person_id is empty'
            when identity_key is null then 'external_id is empty'
            when owner is distinct from lower(person_id) then 'external_id already belongs to ' || owner
        end as reject_reason,
    from owners
)

select * from final
