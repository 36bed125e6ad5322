-- Grain: one row per cohort (and `all`), domain (`unspecified` when the outcome was not
-- tied to one) and review with at least one unanticipated outcome. Counted on their own,
-- never in the success-marker figures.
with

outcomes as (
    select * from {{ ref('fct_unanticipated_outcomes') }}
),

reviews as (
    select * from {{ source('reference', 'marker_reviews') }}
),

labelled as (
    select
        programme_id,
        participant_key,
        cohort,
        coalesce(domain, cast('unspecified' as varchar)) as domain,
        review
    from outcomes
),

by_cohort as (
    select
        programme_id,
        cast(cohort as varchar) as cohort,
        cohort as cohort_number,
        domain,
        review,
        count(*) as outcomes_n,
        count(distinct participant_key) as participants_n
    from labelled
    group by programme_id, cohort, domain, review
),

across_cohorts as (
    select
        programme_id,
        cast('all' as varchar) as cohort,
        cast(null as bigint) as cohort_number,
        domain,
        review,
        count(*) as outcomes_n,
        count(distinct participant_key) as participants_n
    from labelled
    group by programme_id, domain, review
),

combined as (
    select * from by_cohort
    union all
    select * from across_cohorts
),

final as (
    select
        combined.programme_id,
        combined.cohort,
        combined.cohort_number,
        combined.domain,
        combined.review,
        cast(reviews.review_order as bigint) as review_order,
        combined.outcomes_n,
        combined.participants_n
    from combined
    -- Left join: a review the definition does not list leaves a null review_order, which
    -- the contract's not-null constraint stops, rather than outcomes silently dropped.
    left join reviews
        on combined.review = reviews.review
)

select * from final
