-- Grain: one row per survey section. The published figure is the mean of the items'
-- top-2 rates (what the brief calls "an average of 88% across 10 tasks"); the pooled rate
-- (all top-2 answers over all valid answers) is kept beside it for analysts.
with

item_rates as (
    select * from {{ ref('mart_survey_item_rates') }}
),

answers as (
    select * from {{ ref('fct_survey_answers') }}
),

section_items as (
    select
        section,
        min(item_order) as section_order,
        count(*) as items,
        count(top2_rate) as items_with_valid_answers,
        avg(top2_rate) as mean_top2_rate,
        cast(sum(top2_n) as bigint) as top2_n,
        cast(sum(valid_n) as bigint) as valid_n
    from item_rates
    group by section
),

section_respondents as (
    select
        section,
        count(distinct response_id) as respondents
    from answers
    where is_valid
    group by section
),

final as (
    select
        section_items.section,
        section_items.section_order,
        section_items.items,
        section_items.items_with_valid_answers,
        coalesce(section_respondents.respondents, 0) as respondents,
        section_items.mean_top2_rate,
        section_items.top2_n,
        section_items.valid_n,
        case
            when section_items.valid_n > 0 then section_items.top2_n * 1.0 / section_items.valid_n
        end as pooled_top2_rate
    from section_items
    left join section_respondents
        on section_items.section = section_respondents.section
)

select * from final
