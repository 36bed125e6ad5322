-- Grain: one row per survey item. Top-box rate over valid answers: skipped and excluded
-- answers are counted beside the rate, never in its denominator. The count of each answer
-- category is mart_survey_answer_counts.
with

answers as (
    select * from {{ ref('fct_survey_answers') }}
),

items as (
    select * from {{ ref('dim_survey_items') }}
),

answer_counts as (
    select
        programme_id,
        item_id,
        count(*) as responses,
        count(case when is_valid then 1 end) as valid_n,
        count(case when is_top_box then 1 end) as top_box_n,
        count(case when answer_status = 'excluded' then 1 end) as excluded_n,
        count(case when answer_status = 'skipped' then 1 end) as skipped_n
    from answers
    group by programme_id, item_id
),

final as (
    select
        items.programme_id,
        items.item_id,
        items.section,
        items.statement,
        items.scale,
        items.item_order,
        answer_counts.responses,
        answer_counts.valid_n,
        answer_counts.top_box_n,
        case
            when answer_counts.valid_n > 0
                then cast(answer_counts.top_box_n as double precision) / answer_counts.valid_n
        end as top_box_rate,
        answer_counts.excluded_n,
        answer_counts.skipped_n
    from items
    inner join answer_counts
        on items.programme_id = answer_counts.programme_id
        and items.item_id = answer_counts.item_id
)

select * from final
