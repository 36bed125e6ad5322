-- Grain: one row per success marker (participant x domain x outcome_no x level).
with

markers as (
    select * from {{ ref('stg_success_markers__markers') }}
),

participants as (
    select * from {{ ref('stg_roster__participants') }}
),

flagged as (
    select
        markers.*,
        coalesce(markers.midpoint_status = 'achieved', false) as is_achieved_at_midpoint,
        coalesce(markers.final_status = 'achieved', false) as is_achieved_at_final
    from markers
),

final as (
    select
        flagged.participant_key,
        participants.cohort,
        participants.participant_type,
        flagged.domain,
        flagged.outcome_no,
        flagged.level,
        flagged.midpoint_status,
        flagged.final_status,
        flagged.is_achieved_at_midpoint,
        flagged.is_achieved_at_final,
        -- The contract: a marker is achieved when it was Achieved at either review.
        flagged.is_achieved_at_midpoint or flagged.is_achieved_at_final as is_achieved,
        flagged.source_file,
        flagged.source_sheet,
        flagged.source_row
    from flagged
    inner join participants
        on flagged.participant_key = participants.participant_key
)

select * from final
