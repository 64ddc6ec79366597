-- stg_input__cost_bands: the yearly loaded cost of each level (USD), typed and checked.
-- grain: one row per input row of cost_bands
with

source as (select * from raw_cost_bands),

typed as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _source_problem as source_problem,
        nullif(trim(level::varchar), '') as level,
        trim(annual_loaded_cost::varchar) as annual_loaded_cost_text,
        -- plain digits with an optional decimal point: no currency sign, no thousands separator
        case
            when regexp_full_match(trim(annual_loaded_cost::varchar), '-?[0-9]+(\.[0-9]+)?')
                then try_cast(trim(annual_loaded_cost::varchar) as decimal(18, 2))
        end as annual_loaded_cost_usd,
    from source
),

versions as (
    -- a level seen again with another cost conflicts with the first row read; an exact repeat
    -- does not (it is counted as a duplicate)
    select
        *,
        first_value(annual_loaded_cost_usd) over (partition by level order by source_file, source_row)
            as first_cost,
    from typed
),

final as (
    select
        * exclude (source_problem, annual_loaded_cost_text, first_cost),
        case
            when source_problem is not null then null
            when level is null then 'level'
            when annual_loaded_cost_usd is null then 'annual_loaded_cost'
            when annual_loaded_cost_usd <= 0 then 'annual_loaded_cost'
            when annual_loaded_cost_usd is distinct from first_cost then 'level'
        end as reject_column,
        case
            when source_problem is not null then source_problem
            when level is null then 'level is empty'
            when annual_loaded_cost_usd is null
                then 'annual_loaded_cost is not a number in USD (expected digits such as 185000, no $ or commas)'
            when annual_loaded_cost_usd <= 0 then 'annual_loaded_cost must be above 0 (USD per year)'
            when annual_loaded_cost_usd is distinct from first_cost
                then 'level repeats an earlier row with another annual_loaded_cost'
        end as reject_reason,
    from versions
)

select * from final
