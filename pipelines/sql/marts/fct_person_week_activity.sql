-- fct_person_week_activity: how many days each person was active in each week, and how their AI
-- use was spread over the days: the effort control and the burst signal of tokenmaxxing.
-- An active day has any AI use, PR opened or merged, or ticket resolved (UTC days); a day without
-- output has no PR merged and no ticket resolved.
-- grain: one row per person per ISO week in scope
-- incremental by: week (a row reads only the rows of its own week and unchanged tables)
-- time column: week (Monday, UTC)
with

scoped as (select * from int_person_weeks_scoped),

keyed as (select * from int_people_keyed),

days as (select * from int_person_days_combined),

weekly as (
    select
        person_id, week,
        count(*) filter (where ai_rows > 0 or prs_opened > 0 or prs_merged > 0 or tickets_resolved > 0)
            as active_days,
        count(*) filter (where ai_rows > 0) as ai_days,
        count(*) filter (where prs_opened > 0 or prs_merged > 0) as pr_days,
        count(*) filter (where tickets_resolved > 0) as ticket_days,
        count(*) filter (where ai_rows > 0 and prs_merged + tickets_resolved = 0) as ai_days_without_output,
        count(*) filter (where ai_rows > 0 and isodow(day) >= 6) as weekend_ai_days,
        sum(tokens) as tokens,
        -- spread of tokens over the 7 days, days without use counted as 0: sqrt(7 Σx² − (Σx)²) / Σx
        sqrt(greatest(7 * sum(tokens::double * tokens) - sum(tokens)::double * sum(tokens), 0)) / nullif(sum(tokens), 0)
            as daily_token_cv,
    from days
    group by all
),

final as (
    select
        keyed.person_key,
        scoped.team,
        scoped.week,
        coalesce(weekly.active_days, 0) as active_days,
        coalesce(weekly.ai_days, 0) as ai_days,
        coalesce(weekly.pr_days, 0) as pr_days,
        coalesce(weekly.ticket_days, 0) as ticket_days,
        coalesce(weekly.ai_days_without_output, 0) as ai_days_without_output,
        coalesce(weekly.weekend_ai_days, 0) as weekend_ai_days,
        weekly.daily_token_cv,
    from scoped
    join keyed using (person_id)
    left join weekly using (person_id, week)
)

select * from final
