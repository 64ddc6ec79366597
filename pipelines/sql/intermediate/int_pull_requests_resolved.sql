-- int_pull_requests_resolved: one version of each PR, credited to a person, or a bot's.
-- A repeated (repo, number) keeps the last row read: later exports carry the newer state.
-- An agent-authored PR (its author a known agent login, config_agent_logins, or an agent named by
-- the importer from its branch, body or commits) is output: an agent author's PR is credited to
-- its delegator (requester or assignee), a human author's to that human. Other bots never count.
-- grain: one row per pull request (repo, number)
with

pull_requests as (select * from stg_input__pull_requests where reject_reason is null),

identity_keys as (select * from int_identity_keys_resolved),

bots as (select * from config_bot_logins),

agent_logins as (select * from config_agent_logins),

latest as (
    select * exclude (reject_column, reject_reason)
    from pull_requests
    qualify row_number() over (partition by repo, number order by source_file desc, source_row desc) = 1
),

classified as (
    select
        latest.*,
        agent_logins.agent as author_agent,
        agent_logins.login is null and (latest.author_key like '%[bot]' or bots.login is not null) as is_bot,
        -- the identity the PR is credited to: the delegator for an agent author
        case when agent_logins.login is not null then latest.delegator_key else latest.author_key end as credited_key,
    from latest
    left join agent_logins on agent_logins.login = latest.author_key
    left join bots on bots.login = latest.author_key
),

final as (
    select
        classified.repo,
        classified.number,
        classified.author_key,
        classified.credited_key,
        case when classified.is_bot then null else identity_keys.person_id end as person_id,
        classified.is_bot,
        coalesce(classified.author_agent, classified.agent) as agent,
        coalesce(classified.author_agent, classified.agent) is not null as is_agent,
        classified.human_reviewed,
        classified.created_at,
        classified.merged_at,
        date_trunc('week', classified.merged_at at time zone 'UTC')::date as merged_week,
        classified.additions,
        classified.deletions,
        classified.title,
    from classified
    left join identity_keys on identity_keys.identity_key = classified.credited_key
)

select * from final
