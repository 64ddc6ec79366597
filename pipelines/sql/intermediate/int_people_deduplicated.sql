-- int_people_deduplicated: the usable roster; the first row of a repeated person_id wins.
-- grain: one row per person_id
with

people as (select * from stg_input__people where reject_reason is null),

final as (
    select person_id, email, name, team, manager_id, role, level, start_date, end_date,
    from people
    qualify row_number() over (partition by person_id order by source_file, source_row) = 1
)

select * from final
