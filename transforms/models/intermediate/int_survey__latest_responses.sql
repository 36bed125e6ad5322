-- A response_id submitted more than once keeps its latest submission (the contract's rule);
-- ties on time fall back to the later file and row, so the choice is deterministic.
with

responses as (
    select * from {{ ref('stg_survey__responses') }}
),

ranked as (
    select
        responses.*,
        row_number() over (
            partition by programme_id, response_id
            order by submitted_at desc, source_file desc, source_row desc
        ) as submission_rank,
        count(*) over (partition by programme_id, response_id) as submissions
    from responses
),

final as (
    select
        programme_id,
        response_id,
        submitted_at,
        cohort,
        submissions,
        source_file,
        source_sheet,
        source_row
    from ranked
    where submission_rank = 1
)

select * from final
