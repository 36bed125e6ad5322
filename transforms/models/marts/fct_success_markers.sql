-- Grain: one row per success marker (participant x domain x outcome_no x level).
-- The contract: a marker is achieved when its status is an achieved one at any review,
-- and it was achieved *by* its first such review.
with

markers as (
    select * from {{ ref('stg_success_markers__markers') }}
),

participants as (
    select * from {{ ref('stg_roster__participants') }}
),

levels as (
    select * from {{ source('reference', 'marker_levels') }}
),

reviews as (
    select * from {{ source('reference', 'marker_reviews') }}
),

marker_reviews as (
    select * from {{ ref('fct_success_marker_reviews') }}
),

first_achievements as (
    select
        programme_id,
        participant_key,
        domain,
        outcome_no,
        level,
        min(review_order) as first_achieved_review_order
    from marker_reviews
    where is_achieved
    group by programme_id, participant_key, domain, outcome_no, level
),

final as (
    select
        markers.programme_id,
        markers.participant_key,
        participants.cohort,
        participants.participant_type,
        markers.domain,
        markers.outcome_no,
        markers.level,
        cast(levels.level_order as bigint) as level_order,
        -- An achievement is not undone by a later review's status.
        first_achievements.first_achieved_review_order is not null as is_achieved,
        reviews.review as first_achieved_review,
        cast(first_achievements.first_achieved_review_order as bigint) as first_achieved_review_order,
        markers.source_file,
        markers.source_sheet,
        markers.source_row
    from markers
    inner join participants
        on markers.programme_id = participants.programme_id
        and markers.participant_key = participants.participant_key
    left join levels
        on markers.level = levels.level
    left join first_achievements
        on markers.programme_id = first_achievements.programme_id
        and markers.participant_key = first_achievements.participant_key
        and markers.domain = first_achievements.domain
        and markers.outcome_no = first_achievements.outcome_no
        and markers.level = first_achievements.level
    left join reviews
        on first_achievements.first_achieved_review_order = reviews.review_order
)

select * from final
