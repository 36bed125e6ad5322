-- One row per participant and domain, for every participant on the roster and every domain
-- of the definition: the roster is the denominator, so a participant with no marker in a
-- domain counts as not achieved.
with

participants as (
    select * from {{ ref('stg_roster__participants') }}
),

domains as (
    select domain from {{ source('reference', 'domains') }}
),

markers as (
    select * from {{ ref('fct_success_markers') }}
),

markers_by_domain as (
    select
        programme_id,
        participant_key,
        domain,
        count(*) as markers,
        count(case when is_achieved then 1 end) as markers_achieved
    from markers
    group by programme_id, participant_key, domain
),

final as (
    select
        participants.programme_id,
        participants.participant_key,
        participants.cohort,
        participants.participant_type,
        domains.domain,
        coalesce(markers_by_domain.markers, 0) as markers,
        coalesce(markers_by_domain.markers_achieved, 0) as markers_achieved,
        coalesce(markers_by_domain.markers_achieved, 0) > 0 as has_achieved
    from participants
    cross join domains
    left join markers_by_domain
        on participants.programme_id = markers_by_domain.programme_id
        and participants.participant_key = markers_by_domain.participant_key
        and domains.domain = markers_by_domain.domain
)

select * from final
