-- One row per marker row of the workbooks; its statuses are stg_success_markers__statuses.
with

source as (
    select * from {{ source('raw', 'success_markers') }}
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
        source_file,
        source_sheet,
        source_row
    from source
    cross join programme
)

select * from final
