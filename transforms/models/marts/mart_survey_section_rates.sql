-- Grain: one row per survey section with items, in the definition's order. The published
-- figure is the mean of the items' top-box rates (what the brief calls "an average of 88%
-- across 10 tasks"); the pooled rate (all top-box answers over all valid answers) is kept
-- beside it for analysts.
with

item_rates as (
    select * from {{ ref('mart_survey_item_rates') }}
),

answers as (
    select * from {{ ref('fct_survey_answers') }}
),

sections as (
    select * from {{ source('reference', 'survey_sections') }}
),

section_items as (
    select
        programme_id,
        section,
        count(*) as items,
        count(top_box_rate) as items_with_valid_answers,
        avg(top_box_rate) as mean_top_box_rate,
        cast(sum(top_box_n) as bigint) as top_box_n,
        cast(sum(valid_n) as bigint) as valid_n
    from item_rates
    group by programme_id, section
),

section_respondents as (
    select
        programme_id,
        section,
        count(distinct response_id) as respondents
    from answers
    where is_valid
    group by programme_id, section
),

final as (
    select
        section_items.programme_id,
        section_items.section,
        cast(sections.section_order as bigint) as section_order,
        section_items.items,
        section_items.items_with_valid_answers,
        coalesce(section_respondents.respondents, 0) as respondents,
        section_items.mean_top_box_rate,
        section_items.top_box_n,
        section_items.valid_n,
        case
            when section_items.valid_n > 0
                then cast(section_items.top_box_n as double precision) / section_items.valid_n
        end as pooled_top_box_rate
    from section_items
    left join sections
        on section_items.section = sections.section
    left join section_respondents
        on section_items.programme_id = section_respondents.programme_id
        and section_items.section = section_respondents.section
)

select * from final
