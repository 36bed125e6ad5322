with

source as (
    select * from {{ source('raw', 'survey_codebook') }}
),

final as (
    select
        item_id,
        section,
        statement,
        scale,
        item_order,
        source_file,
        source_sheet,
        source_row
    from source
)

select * from final
