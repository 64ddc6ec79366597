-- dim_cost_bands: the yearly loaded cost of each level (USD); empty when no cost_bands input was given.
-- Bands are per level, never per person: people cost is a level's band times its people.
-- grain: one row per level
with

bands as (select * from stg_input__cost_bands where reject_reason is null),

final as (
    select level, annual_loaded_cost_usd::double as annual_loaded_cost_usd,
    from bands
    qualify row_number() over (partition by level order by source_file, source_row) = 1
)

select * from final
