with

source as (
    select * from {{ source('raw', 'unanticipated_outcomes') }}
),

final as (
    select
        participant_key,
        -- null when the outcome was not tied to a domain
        domain,
        review,
        source_file,
        source_sheet,
        source_row
    from source
)

select * from final
