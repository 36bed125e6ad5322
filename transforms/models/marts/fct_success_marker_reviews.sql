-- Grain: one row per success marker and review with a status (a marker not reviewed at a
-- review has no row for it). Whether a status counts as achieved is the definition's.
with

statuses as (
    select * from {{ ref('stg_success_markers__statuses') }}
),

participants as (
    select * from {{ ref('stg_roster__participants') }}
),

reviews as (
    select * from {{ source('reference', 'marker_reviews') }}
),

status_definitions as (
    select * from {{ source('reference', 'marker_statuses') }}
),

final as (
    select
        statuses.programme_id,
        statuses.participant_key,
        participants.cohort,
        statuses.domain,
        statuses.outcome_no,
        statuses.level,
        statuses.review,
        cast(reviews.review_order as bigint) as review_order,
        statuses.status,
        status_definitions.is_achieved
    from statuses
    inner join participants
        on statuses.programme_id = participants.programme_id
        and statuses.participant_key = participants.participant_key
    -- Left joins: a review or status the definition does not list leaves a null, which the
    -- contract's not-null constraints stop, rather than a marker review silently dropped.
    left join reviews
        on statuses.review = reviews.review
    left join status_definitions
        on statuses.status = status_definitions.status
)

select * from final
