-- dim_people: the roster as the dashboard reads it.
-- grain: one row per person
with

people as (select * from int_people_deduplicated),

final as (
    select person_id, email, name, team, manager_id, role, level, start_date, end_date,
    from people
)

select * from final
