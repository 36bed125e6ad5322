with

source as (
    select * from {{ source('raw', 'survey_answers') }}
),

labels as (
    select field, label_key, value
    from {{ ref('label_dictionary') }}
),

final as (
    select
        source.response_id,
        source.item_id,
        -- null when the respondent skipped the item
        answers.value as answer,
        source.source_file,
        source.source_sheet,
        source.source_row
    from source
    {{ join_label('labels', 'answer', 'source', 'answer', 'answers') }}
)

select * from final
