with

source as (
    select * from {{ source('raw', 'participants') }}
),

participant_types as (
    select label_key, value as participant_type
    from {{ ref('label_dictionary') }}
    where field = 'participant_type'
),

final as (
    select
        source.participant_key,
        source.cohort,
        participant_types.participant_type,
        source.source_file,
        source.source_sheet,
        source.source_row
    from source
    left join participant_types
        on {{ label_key('source.participant_type') }} = participant_types.label_key
)

select * from final
