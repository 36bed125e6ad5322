-- Grain: one row per survey item and answer it accepts: each category of the item's scale
-- and each excluded answer, with how many kept responses gave it (0 when none did).
-- Skipped items are mart_survey_item_rates' skipped_n.
with

items as (
    select * from {{ ref('dim_survey_items') }}
),

categories as (
    select * from {{ source('reference', 'survey_answer_categories') }}
),

answers as (
    select * from {{ ref('fct_survey_answers') }}
),

item_categories as (
    select
        items.programme_id,
        items.item_id,
        categories.answer,
        categories.answer_label,
        categories.scale_position,
        categories.is_valid,
        categories.is_top_box
    from items
    -- The excluded answers (scale `any`) are every item's.
    inner join categories
        on categories.scale in (items.scale, 'any')
),

answer_counts as (
    select
        programme_id,
        item_id,
        answer,
        count(*) as answers_n
    from answers
    where answer is not null
    group by programme_id, item_id, answer
),

final as (
    select
        item_categories.programme_id,
        item_categories.item_id,
        item_categories.answer,
        item_categories.answer_label,
        cast(item_categories.scale_position as integer) as scale_position,
        item_categories.is_valid,
        item_categories.is_top_box,
        coalesce(answer_counts.answers_n, 0) as answers_n
    from item_categories
    left join answer_counts
        on item_categories.programme_id = answer_counts.programme_id
        and item_categories.item_id = answer_counts.item_id
        and item_categories.answer = answer_counts.answer
)

select * from final
