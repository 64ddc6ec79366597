-- fct_bot_pull_requests: pull requests by bots, which are never counted as output.
-- grain: one row per bot login
with

bots as (select * from int_pull_requests_resolved where is_bot),

final as (
    select author_key as bot_login, count(*) as pull_requests, count(merged_at) as merged_prs,
    from bots
    group by all
)

select * from final
