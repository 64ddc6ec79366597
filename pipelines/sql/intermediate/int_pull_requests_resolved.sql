-- int_pull_requests_resolved: one version of each PR, its author matched to a person or a bot.
-- A repeated (repo, number) keeps the last row read: later exports carry the newer state.
-- grain: one row per pull request (repo, number)
with

pull_requests as (select * from stg_input__pull_requests where reject_reason is null),

identity_keys as (select * from int_identity_keys_resolved),

bots as (select * from config_bot_logins),

latest as (
    select * exclude (reject_column, reject_reason)
    from pull_requests
    qualify row_number() over (partition by repo, number order by source_file desc, source_row desc) = 1
),

final as (
    select
        latest.repo,
        latest.number,
        latest.author_key,
        case when latest.author_key like '%[bot]' or bots.login is not null then null
            else identity_keys.person_id end as person_id,
        latest.author_key like '%[bot]' or bots.login is not null as is_bot,
        latest.created_at,
        latest.merged_at,
        date_trunc('week', latest.merged_at at time zone 'UTC')::date as merged_week,
        latest.additions,
        latest.deletions,
        latest.title,
    from latest
    left join bots on bots.login = latest.author_key
    left join identity_keys on identity_keys.identity_key = latest.author_key
)

select * from final
