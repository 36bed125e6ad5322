-- Grain: one row per participant type on the roster (and `all`) and domain (and
-- `any_domain`): roster participants of that type, and those who achieved at least one
-- success marker there. A type nobody on the roster has gets no row (no zero
-- denominator). Rounding and intervals are left to publishing.
with

achievements as (
    select * from {{ ref('int_success_markers__participant_achievements') }}
),

by_type as (
    select
        programme_id,
        participant_type,
        domain,
        count(*) as participants,
        count(case when has_achieved then 1 end) as achieved_n
    from achievements
    group by programme_id, participant_type, domain
),

across_types as (
    select
        programme_id,
        cast('all' as varchar) as participant_type,
        domain,
        count(*) as participants,
        count(case when has_achieved then 1 end) as achieved_n
    from achievements
    group by programme_id, domain
),

final as (
    select * from by_type
    union all
    select * from across_types
)

select * from final
