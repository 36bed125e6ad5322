-- Grain: one row per kept response and codebook item, skipped items included (answer null).
with

answers as (
    select * from {{ ref('stg_survey__answers') }}
),

responses as (
    select * from {{ ref('int_survey__latest_responses') }}
),

items as (
    select * from {{ ref('stg_survey__items') }}
),

categories as (
    select * from {{ ref('survey_answer_categories') }}
),

final as (
    select
        answers.response_id,
        responses.cohort,
        answers.item_id,
        items.section,
        items.scale,
        answers.answer,
        categories.scale_position,
        case
            when answers.answer is null then 'skipped'
            when categories.is_valid then 'valid'
            else 'not_applicable'
        end as answer_status,
        coalesce(categories.is_valid, false) as is_valid,
        coalesce(categories.is_top2, false) as is_top2
    from answers
    -- Only the kept submission of a duplicated response_id: match on its file and row.
    inner join responses
        on answers.source_file = responses.source_file
        and answers.source_row = responses.source_row
    inner join items
        on answers.item_id = items.item_id
    left join categories
        on answers.answer = categories.answer
)

select * from final
