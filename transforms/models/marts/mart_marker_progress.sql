-- Grain: one row per cohort (and `all`), domain (and `any_domain`) and review, in time
-- order: participants who had achieved at least one marker in the domain by that review
-- (at it or an earlier one). The last review's count is mart_domain_rates' achieved_n:
-- an achievement is not undone by a later review. Rounding is left to publishing.
with

achievements as (
    select * from {{ ref('int_success_markers__participant_achievements') }}
),

reviews as (
    select * from {{ source('reference', 'marker_reviews') }}
),

participant_reviews as (
    select
        achievements.programme_id,
        achievements.participant_key,
        achievements.cohort,
        achievements.domain,
        reviews.review,
        cast(reviews.review_order as bigint) as review_order,
        coalesce(
            achievements.first_achieved_review_order <= reviews.review_order, false
        ) as is_achieved_by_review
    from achievements
    cross join reviews
),

by_cohort as (
    select
        programme_id,
        cast(cohort as varchar) as cohort,
        cohort as cohort_number,
        domain,
        review,
        review_order,
        count(*) as participants,
        count(case when is_achieved_by_review then 1 end) as achieved_by_n
    from participant_reviews
    group by programme_id, cohort, domain, review, review_order
),

across_cohorts as (
    select
        programme_id,
        cast('all' as varchar) as cohort,
        cast(null as bigint) as cohort_number,
        domain,
        review,
        review_order,
        count(*) as participants,
        count(case when is_achieved_by_review then 1 end) as achieved_by_n
    from participant_reviews
    group by programme_id, domain, review, review_order
),

final as (
    select * from by_cohort
    union all
    select * from across_cohorts
)

select * from final
