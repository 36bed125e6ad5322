with

source as (
    select * from {{ source('raw', 'unanticipated_outcomes') }}
),

-- One row: the programme these raw rows belong to (a shared warehouse holds several).
programme as (
    select programme_id from {{ source('reference', 'programme') }}
),

final as (
    select
        programme.programme_id,
        participant_key,
        -- null when the outcome was not tied to a domain
        domain,
        review,
        source_file,
        source_sheet,
        source_row
    from source
    cross join programme
)

select * from final
