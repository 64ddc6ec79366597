-- dim_people: the roster, and the only mart that joins a person_key to a name or email.
-- Only the privacy layer (pipelines/privacy) reads names from it, for views allowed to show them.
-- grain: one row per person
with

people as (select * from int_people_deduplicated),

keyed as (select * from int_people_keyed),

final as (
    select person_id, keyed.person_key, email, name, team, manager_id, role, level, start_date, end_date,
    from people
    join keyed using (person_id)
)

select * from final
