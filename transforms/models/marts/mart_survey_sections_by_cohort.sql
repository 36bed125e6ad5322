-- Grain: one row per surveyed cohort and survey section with items: the mean of that
-- cohort's item top-box rates, as mart_survey_section_rates does for all respondents. An
-- item with no valid answer in the cohort is left out of its mean (the contract's rule);
-- a cohort without survey responses has no row. Rounding is left to publishing.
with

answers as (
    select * from {{ ref('fct_survey_answers') }}
),

sections as (
    select * from {{ source('reference', 'survey_sections') }}
),

cohort_items as (
    select
        programme_id,
        cohort,
        section,
        item_id,
        count(case when is_valid then 1 end) as valid_n,
        count(case when is_top_box then 1 end) as top_box_n
    from answers
    group by programme_id, cohort, section, item_id
),

cohort_item_rates as (
    select
        programme_id,
        cohort,
        section,
        item_id,
        valid_n,
        top_box_n,
        case
            when valid_n > 0 then cast(top_box_n as double precision) / valid_n
        end as top_box_rate
    from cohort_items
),

cohort_sections as (
    select
        programme_id,
        cohort,
        section,
        count(top_box_rate) as items,
        avg(top_box_rate) as mean_top_box_rate,
        cast(sum(top_box_n) as bigint) as top_box_n,
        cast(sum(valid_n) as bigint) as valid_n
    from cohort_item_rates
    group by programme_id, cohort, section
),

cohort_respondents as (
    select
        programme_id,
        cohort,
        section,
        count(distinct response_id) as respondents
    from answers
    where is_valid
    group by programme_id, cohort, section
),

final as (
    select
        cohort_sections.programme_id,
        cast(cohort_sections.cohort as varchar) as cohort,
        cohort_sections.cohort as cohort_number,
        cohort_sections.section,
        cast(sections.section_order as bigint) as section_order,
        coalesce(cohort_respondents.respondents, 0) as respondents,
        cohort_sections.items,
        cohort_sections.mean_top_box_rate,
        cohort_sections.top_box_n,
        cohort_sections.valid_n
    from cohort_sections
    left join sections
        on cohort_sections.section = sections.section
    left join cohort_respondents
        on cohort_sections.programme_id = cohort_respondents.programme_id
        and cohort_sections.cohort = cohort_respondents.cohort
        and cohort_sections.section = cohort_respondents.section
)

select * from final
