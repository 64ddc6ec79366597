-- stg_input__people: types and cleans the roster; emails compared in lower case.
-- grain: one row per input row of people
with

source as (select * from raw_people),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _source_problem as source_problem,
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

versions as (
    -- a person_id or an email seen again with other values conflicts with the first row read;
    -- an exact repeat does not (it is counted as a duplicate later)
    select
        *,
        struct_pack(email, name, team, manager_id, role, level, start_date, end_date) as version,
        first_value(struct_pack(email, name, team, manager_id, role, level, start_date, end_date))
            over (partition by person_id order by source_file, source_row) as first_version,
        first_value(person_id) over (partition by email order by source_file, source_row) as email_owner,
    from typed
),

final as (
    select
        * exclude (source_problem, bad_start_date, bad_end_date, version, first_version, email_owner),
        case
            when source_problem is not null then null
            when person_id is null then 'person_id'
            when email is null then 'email'
            when bad_start_date then 'start_date'
            when bad_end_date then 'end_date'
            when end_date < start_date then 'end_date'
            when version is distinct from first_version then 'person_id'
            when email_owner is distinct from person_id then 'email'
        end as reject_column,
        case
            when source_problem is not null then source_problem
            when person_id is null then 'person_id is empty'
            when email is null then 'email is empty'
            when bad_start_date then 'start_date is not a date (expected YYYY-MM-DD)'
            when bad_end_date then 'end_date is not a date (expected YYYY-MM-DD)'
            when end_date < start_date then 'end_date is before start_date'
            when version is distinct from first_version then 'person_id repeats an earlier row with other values'
            when email_owner is distinct from person_id then 'email already belongs to person_id ' || email_owner
        end as reject_reason,
    from versions
)

select * from final
