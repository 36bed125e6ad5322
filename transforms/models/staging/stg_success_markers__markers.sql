-- One row per marker row of the workbooks; its statuses are stg_success_markers__statuses.
with

source as (
    select * from {{ source('raw', 'success_markers') }}
),

final as (
    select
        participant_key,
        domain,
        outcome_no,
        level,
        source_file,
        source_sheet,
        source_row
    from source
)

select * from final
