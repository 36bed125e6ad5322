with

source as (
    select * from {{ source('raw', 'survey_responses') }}
),

final as (
    select
        response_id,
        submitted_at,
        cohort,
        source_file,
        source_sheet,
        source_row
    from source
)

select * from final
