-- stg_input__people: types and cleans the roster; emails compared in lower case.
-- grain: one row per input row of people
with

source as (select * from raw_people),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        nullif(trim(person_id::varchar), '') as person_id,
        nullif(lower(trim(email::varchar)), '') as email,
        trim(name::varchar) as name,
        coalesce(nullif(trim(team::varchar), ''), '(no team)') as team,
        nullif(trim(manager_id::varchar), '') as manager_id,
        nullif(trim(role::varchar), '') as role,
        nullif(trim(level::varchar), '') as level,
        try_cast(start_date as date) as start_date,
        try_cast(end_date as date) as end_date,
        start_date is not null and try_cast(start_date as date) is null as bad_start_date,
        end_date is not null and try_cast(end_date as date) is null as bad_end_date,
    from source
),

final as (
    select
        * exclude (bad_start_date, bad_end_date),
        case
            when person_id is null then 'person_id'
            when email is null then 'email'
            when bad_start_date then 'start_date'
            when bad_end_date then 'end_date'
            when end_date < start_date then 'end_date'
        end as reject_column,
        case
            when person_id is null then 'person_id is empty'
            when email is null then 'email is empty'
            when bad_start_date then 'start_date is not a date (expected YYYY-MM-DD)'
            when bad_end_date then 'end_date is not a date (expected YYYY-MM-DD)'
            when end_date < start_date then 'end_date is before start_date'
        end as reject_reason,
    from typed
)

select * from final
