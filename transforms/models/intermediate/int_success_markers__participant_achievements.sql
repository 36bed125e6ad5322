-- Grain: one row per roster participant and domain of the definition, plus `any_domain`
-- (all of the participant's markers together). The highest level among the achieved
-- markers and the earliest review by which one was achieved, both null when none was:
-- the roster is the denominator, so a participant with no marker in a domain is here.
-- Levels are not nested: the highest level says nothing about the levels below it.
with

participants as (
    select * from {{ ref('dim_participants') }}
),

participant_domains as (
    select * from {{ ref('fct_participant_domains') }}
),

markers as (
    select * from {{ ref('fct_success_markers') }}
),

achieved_markers as (
    select
        programme_id,
        participant_key,
        domain,
        level_order,
        first_achieved_review_order
    from markers
    where is_achieved
),

achieved_by_domain as (
    select
        programme_id,
        participant_key,
        domain,
        max(level_order) as highest_level_order,
        min(first_achieved_review_order) as first_achieved_review_order
    from achieved_markers
    group by programme_id, participant_key, domain
),

achieved_in_any_domain as (
    select
        programme_id,
        participant_key,
        max(level_order) as highest_level_order,
        min(first_achieved_review_order) as first_achieved_review_order
    from achieved_markers
    group by programme_id, participant_key
),

by_domain as (
    select
        participant_domains.programme_id,
        participant_domains.participant_key,
        participant_domains.cohort,
        participant_domains.participant_type,
        participant_domains.domain,
        achieved_by_domain.highest_level_order,
        achieved_by_domain.first_achieved_review_order
    from participant_domains
    left join achieved_by_domain
        on participant_domains.programme_id = achieved_by_domain.programme_id
        and participant_domains.participant_key = achieved_by_domain.participant_key
        and participant_domains.domain = achieved_by_domain.domain
),

in_any_domain as (
    select
        participants.programme_id,
        participants.participant_key,
        participants.cohort,
        participants.participant_type,
        cast('any_domain' as varchar) as domain,
        achieved_in_any_domain.highest_level_order,
        achieved_in_any_domain.first_achieved_review_order
    from participants
    left join achieved_in_any_domain
        on participants.programme_id = achieved_in_any_domain.programme_id
        and participants.participant_key = achieved_in_any_domain.participant_key
),

combined as (
    select * from by_domain
    union all
    select * from in_any_domain
),

final as (
    select
        programme_id,
        participant_key,
        cohort,
        participant_type,
        domain,
        highest_level_order is not null as has_achieved,
        cast(highest_level_order as bigint) as highest_level_order,
        cast(first_achieved_review_order as bigint) as first_achieved_review_order
    from combined
)

select * from final
