with

source as (
    select * from {{ source('raw', 'participants') }}
),

-- One row: the programme these raw rows belong to (a shared warehouse holds several).
programme as (
    select programme_id from {{ source('reference', 'programme') }}
),

final as (
    select
        programme.programme_id,
        participant_key,
        cohort,
        participant_type,
        source_file,
        source_sheet,
        source_row
    from source
    cross join programme
)

select * from final
