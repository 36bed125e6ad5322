-- One row per marker and review with a status; a review left blank (not reviewed) has none.
with

source as (
    select * from {{ source('raw', 'success_marker_statuses') }}
),

-- One row: the programme these raw rows belong to (a shared warehouse holds several).
programme as (
    select programme_id from {{ source('reference', 'programme') }}
),

final as (
    select
        programme.programme_id,
        participant_key,
        domain,
        outcome_no,
        level,
        review,
        status,
        source_file,
        source_sheet,
        source_row
    from source
    cross join programme
)

select * from final
