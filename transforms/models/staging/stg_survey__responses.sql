with

source as (
    select * from {{ source('raw', 'survey_responses') }}
),

-- One row: the programme these raw rows belong to (a shared warehouse holds several).
programme as (
    select programme_id from {{ source('reference', 'programme') }}
),

final as (
    select
        programme.programme_id,
        response_id,
        submitted_at,
        cohort,
        source_file,
        source_sheet,
        source_row
    from source
    cross join programme
)

select * from final
