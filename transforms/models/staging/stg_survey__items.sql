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
    left join labels as sections
        on sections.field = 'section'
        and {{ label_key('source.section') }} = sections.label_key
    left join labels as scales
        on scales.field = 'scale'
        and {{ label_key('source.scale') }} = scales.label_key
)

select * from final
