-- int_pull_request_reverts_matched: merged PRs that revert an earlier merged PR of the same repo.
-- A revert is titled 'Revert "<title>"' (GitHub's default) or names the PR it reverts ("Reverts #123",
-- "Revert #123"); it counts only when it merged at most 21 days after the PR it reverts.
-- A title match takes the latest same-titled PR merged before the revert was opened, if any, else before it merged.
-- grain: one row per revert PR (repo, number)
with

merged as (
    select repo, number, title, created_at, merged_at, from int_pull_requests_resolved
    where merged_at is not null
),

reverts as (
    select
        repo, number, created_at, merged_at,
        nullif(regexp_extract(title, '^\s*Revert\s+"(.*)"\s*$', 1), '') as reverted_title,
        try_cast(nullif(regexp_extract(title, '(?i)\brevert(?:s|ed|ing)?\b[^#]*#(\d+)', 1), '') as bigint)
            as reverted_number,
    from merged
    where regexp_matches(title, '(?i)\brevert')
),

by_title as (
    select reverts.repo, reverts.number, original.number as reverted_number, original.merged_at as reverted_merged_at,
        original.merged_at <= reverts.created_at as before_opened,
    from reverts
    join merged as original on original.repo = reverts.repo and original.title = reverts.reverted_title
),

by_number as (
    select reverts.repo, reverts.number, original.number as reverted_number, original.merged_at as reverted_merged_at,
        true as before_opened,
    from reverts
    join merged as original on original.repo = reverts.repo and original.number = reverts.reverted_number
),

candidates as (
    select candidates.*, reverts.merged_at,
    from (select * from by_number union all select * from by_title) as candidates
    join reverts using (repo, number)
    where candidates.reverted_number <> candidates.number
      and candidates.reverted_merged_at <= reverts.merged_at
      and candidates.reverted_merged_at >= reverts.merged_at - interval 21 days
),

final as (
    select repo, number, reverted_number, merged_at, reverted_merged_at,
    from candidates
    qualify row_number() over (
        partition by repo, number order by before_opened desc, reverted_merged_at desc, reverted_number desc
    ) = 1
)

select * from final
