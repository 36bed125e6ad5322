-- Grain: one row per cohort (and `all`), domain (and `any_domain`) and highest level
-- reached: each level of the definition and none (null). Zero-filled, so the rows of a
-- cohort and domain add up to its roster. A participant counts once, at the highest level
-- among their achieved markers there; levels are not nested (the contract's rule).
with

achievements as (
    select * from {{ ref('int_success_markers__participant_achievements') }}
),

cohorts as (
    select * from {{ ref('dim_cohorts') }}
),

domains as (
    select * from {{ source('reference', 'domains') }}
),

levels as (
    select * from {{ source('reference', 'marker_levels') }}
),

cohort_rows as (
    select
        programme_id,
        cast(cohort as varchar) as cohort,
        cohort as cohort_number,
        participants
    from cohorts
    union all
    select
        programme_id,
        cast('all' as varchar) as cohort,
        cast(null as bigint) as cohort_number,
        cast(sum(participants) as bigint) as participants
    from cohorts
    group by programme_id
),

domain_rows as (
    select domain from domains
    union all
    select cast('any_domain' as varchar) as domain
),

level_rows as (
    select
        level as highest_level,
        cast(level_order as bigint) as highest_level_order
    from levels
    -- No achieved marker in the domain: no highest level.
    union all
    select
        cast(null as varchar) as highest_level,
        cast(null as bigint) as highest_level_order
),

grid as (
    select
        cohort_rows.programme_id,
        cohort_rows.cohort,
        cohort_rows.cohort_number,
        domain_rows.domain,
        cohort_rows.participants,
        level_rows.highest_level,
        level_rows.highest_level_order
    from cohort_rows
    cross join domain_rows
    cross join level_rows
),

by_cohort as (
    select
        programme_id,
        cast(cohort as varchar) as cohort,
        domain,
        highest_level_order,
        count(*) as participants_n
    from achievements
    group by programme_id, cohort, domain, highest_level_order
),

across_cohorts as (
    select
        programme_id,
        cast('all' as varchar) as cohort,
        domain,
        highest_level_order,
        count(*) as participants_n
    from achievements
    group by programme_id, domain, highest_level_order
),

counts as (
    select * from by_cohort
    union all
    select * from across_cohorts
),

final as (
    select
        grid.programme_id,
        grid.cohort,
        grid.cohort_number,
        grid.domain,
        grid.participants,
        grid.highest_level,
        grid.highest_level_order,
        coalesce(counts.participants_n, 0) as participants_n
    from grid
    left join counts
        on grid.programme_id = counts.programme_id
        and grid.cohort = counts.cohort
        and grid.domain = counts.domain
        -- The `none` row matches the participants with no highest level.
        and grid.highest_level_order is not distinct from counts.highest_level_order
)

select * from final
