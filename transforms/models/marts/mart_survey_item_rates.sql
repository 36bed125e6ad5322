-- Grain: one row per survey item. Top-2-box rate over valid answers: blanks and
-- not-applicable answers are counted beside the rate, never in its denominator.
with

answers as (
    select * from {{ ref('fct_survey_answers') }}
),

items as (
    select * from {{ ref('dim_survey_items') }}
),

answer_counts as (
    select
        item_id,
        count(*) as responses,
        count(case when is_valid then 1 end) as valid_n,
        count(case when is_top2 then 1 end) as top2_n,
        count(case when answer = 'not_applicable' then 1 end) as not_applicable_n,
        count(case when answer = 'dont_know' then 1 end) as dont_know_n,
        count(case when answer is null then 1 end) as skipped_n,
        {%- for answer in survey_scale_answers() %}
        count(case when answer = '{{ answer }}' then 1 end) as {{ answer }}_n{{ "," if not loop.last }}
        {%- endfor %}
    from answers
    group by item_id
),

final as (
    select
        items.item_id,
        items.section,
        items.statement,
        items.scale,
        items.item_order,
        answer_counts.responses,
        answer_counts.valid_n,
        answer_counts.top2_n,
        case
            when answer_counts.valid_n > 0 then answer_counts.top2_n * 1.0 / answer_counts.valid_n
        end as top2_rate,
        answer_counts.not_applicable_n,
        answer_counts.dont_know_n,
        answer_counts.skipped_n,
        {%- for answer in survey_scale_answers() %}
        answer_counts.{{ answer }}_n{{ "," if not loop.last }}
        {%- endfor %}
    from items
    inner join answer_counts
        on items.item_id = answer_counts.item_id
)

select * from final
