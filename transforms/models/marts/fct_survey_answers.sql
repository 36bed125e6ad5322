-- Grain: one row per kept response and codebook item, skipped items included (answer null).
-- How an answer counts (valid, top box, excluded) is the definition's answer categories'.
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
    select * from {{ source('reference', 'survey_answer_categories') }}
),

final as (
    select
        answers.programme_id,
        answers.response_id,
        responses.cohort,
        answers.item_id,
        items.section,
        items.scale,
        answers.answer,
        cast(categories.scale_position as integer) as scale_position,
        -- Null for an answer that is neither of the item's scale nor an excluded one: the
        -- contract's not-null constraint stops the build rather than count it as skipped.
        cast(
            case
                when answers.answer is null then 'skipped'
                when categories.is_valid then 'valid'
                when not categories.is_valid then 'excluded'
            end as varchar
        ) as answer_status,
        coalesce(categories.is_valid, false) as is_valid,
        coalesce(categories.is_top_box, false) as is_top_box
    from answers
    -- Only the kept submission of a duplicated response_id: match on its file and row.
    inner join responses
        on answers.programme_id = responses.programme_id
        and answers.source_file = responses.source_file
        and answers.source_row = responses.source_row
    inner join items
        on answers.programme_id = items.programme_id
        and answers.item_id = items.item_id
    -- An answer id may recur in several scales: it is looked up in the item's scale, or
    -- among the excluded answers (scale `any`), which every item accepts.
    left join categories
        on answers.answer = categories.answer
        and categories.scale in (items.scale, 'any')
)

select * from final
