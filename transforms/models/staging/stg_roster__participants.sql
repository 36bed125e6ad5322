with

source as (
    select * from {{ source('raw', 'participants') }}
),

final as (
    select
        participant_key,
        cohort,
        participant_type,
        source_file,
        source_sheet,
        source_row
    from source
)

select * from final
