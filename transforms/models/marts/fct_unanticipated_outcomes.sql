-- Grain: one row per unanticipated outcome reported at a review. Counted on their own,
-- never added to the success-marker numerators. The description is never stored.
with

outcomes as (
    select * from {{ ref('stg_success_markers__unanticipated_outcomes') }}
),

participants as (
    select * from {{ ref('stg_roster__participants') }}
),

final as (
    select
        outcomes.programme_id,
        outcomes.participant_key,
        participants.cohort,
        participants.participant_type,
        outcomes.domain,
        outcomes.review,
        outcomes.source_file,
        outcomes.source_sheet,
        outcomes.source_row
    from outcomes
    inner join participants
        on outcomes.programme_id = participants.programme_id
        and outcomes.participant_key = participants.participant_key
)

select * from final
