with

source as (
    select * from {{ source('raw', 'participants') }}
),

labels as (
    select field, label_key, value
    from {{ ref('label_dictionary') }}
),

final as (
    select
        source.participant_key,
        source.cohort,
        participant_types.value as participant_type,
        source.source_file,
        source.source_sheet,
        source.source_row
    from source
    {{ join_label('labels', 'participant_type', 'source', 'participant_type', 'participant_types') }}
)

select * from final
