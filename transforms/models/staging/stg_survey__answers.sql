with

source as (
    select * from {{ source('raw', 'survey_answers') }}
),

answer_labels as (
    select label_key, value as answer
    from {{ ref('label_dictionary') }}
    where field = 'answer'
),

final as (
    select
        source.response_id,
        source.item_id,
        -- null when the respondent skipped the item
        answer_labels.answer,
        source.source_file,
        source.source_sheet,
        source.source_row
    from source
    left join answer_labels
        on {{ label_key('source.answer') }} = answer_labels.label_key
)

select * from final
