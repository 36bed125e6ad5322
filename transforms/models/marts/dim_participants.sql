with

participants as (
    select * from {{ ref('stg_roster__participants') }}
),

final as (
    select
        programme_id,
        participant_key,
        cohort,
        participant_type
    from participants
)

select * from final
