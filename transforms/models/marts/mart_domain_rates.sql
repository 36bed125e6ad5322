-- Grain: one row per cohort (and the `all` row) and domain (and `any_domain`): the share of
-- roster participants who achieved at least one success marker. Rounding is left to publishing.
with

participant_domains as (
    select * from {{ ref('fct_participant_domains') }}
),

cohorts as (
    select * from {{ ref('dim_cohorts') }}
),

participant_any_domain as (
    select
        programme_id,
        participant_key,
        cohort,
        cast('any_domain' as varchar) as domain,
        max(case when has_achieved then 1 else 0 end) = 1 as has_achieved
    from participant_domains
    group by programme_id, participant_key, cohort
),

participant_outcomes as (
    select programme_id, participant_key, cohort, domain, has_achieved from participant_domains
    union all
    select programme_id, participant_key, cohort, domain, has_achieved from participant_any_domain
),

by_cohort as (
    select
        programme_id,
        cast(cohort as varchar) as cohort,
        cohort as cohort_number,
        domain,
        count(*) as participants,
        count(case when has_achieved then 1 end) as achieved_n
    from participant_outcomes
    group by programme_id, cohort, domain
),

across_cohorts as (
    select
        programme_id,
        cast('all' as varchar) as cohort,
        cast(null as bigint) as cohort_number,
        domain,
        count(*) as participants,
        count(case when has_achieved then 1 end) as achieved_n
    from participant_outcomes
    group by programme_id, domain
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
        cohorts.participant_type,
        combined.domain,
        combined.participants,
        combined.achieved_n,
        cast(combined.achieved_n as double precision) / combined.participants as achieved_rate
    from combined
    left join cohorts
        on combined.programme_id = cohorts.programme_id
        and combined.cohort_number = cohorts.cohort
)

select * from final
