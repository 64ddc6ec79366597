-- int_person_weeks_scoped: the weeks each person is in scope: employed on any day of the week.
-- grain: one row per person per ISO week of the period
-- incremental by: week (a row reads only the rows of its own week and unchanged tables)
with

people as (select * from int_people_deduplicated),

weeks as (select * from int_period_weeks_listed),

final as (
    select people.person_id, people.team, weeks.week,
    from people
    cross join weeks
    where (people.start_date is null or people.start_date <= weeks.week + 6)
      and (people.end_date is null or people.end_date >= weeks.week)
)

select * from final
