-- One row per marker row of the workbooks; its statuses are stg_success_markers__statuses.
with

source as (
    select * from {{ source('raw', 'success_markers') }}
),

-- One row: the programme these raw rows belong to (a shared warehouse holds several).
-- Taken as a scalar subquery, not by a cross join: PostgreSQL then plans the id as the
-- one value it is. After a cross join it guessed one row for every join on the id, and
-- chose nested loops that took minutes at x1000.
programme as (
    select programme_id from {{ source('reference', 'programme') }}
),

final as (
    select
        (select programme.programme_id from programme) as programme_id,
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
