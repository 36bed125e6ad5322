with

source as (
    select * from {{ source('raw', 'survey_answers') }}
),

final as (
    select
        response_id,
        item_id,
        -- null when the respondent skipped the item
        answer,
        source_file,
        source_sheet,
        source_row
    from source
)

select * from final
