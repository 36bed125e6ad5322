with

source as (
    select * from {{ source('raw', 'survey_codebook') }}
),

labels as (
    select field, label_key, value
    from {{ ref('label_dictionary') }}
),

final as (
    select
        source.item_id,
        sections.value as section,
        source.statement,
        scales.value as scale,
        source.item_order,
        source.source_file,
        source.source_sheet,
        source.source_row
    from source
    {{ join_label('labels', 'section', 'source', 'section', 'sections') }}
    {{ join_label('labels', 'scale', 'source', 'scale', 'scales') }}
)

select * from final
