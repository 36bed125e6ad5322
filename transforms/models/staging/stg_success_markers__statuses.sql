-- One row per marker and review with a status; a review left blank (not reviewed) has none.
with

source as (
    select * from {{ source('raw', 'success_marker_statuses') }}
),

final as (
    select
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
)

select * from final
