-- Grain: one row per cohort (and `all`) and level of the definition: the markers set at
-- that level in every domain, and how many were achieved (at any review). Zero-filled.
-- How well participants calibrated their ambition; rounding is left to publishing.
with

markers as (
    select * from {{ ref('fct_success_markers') }}
),

cohorts as (
    select * from {{ ref('dim_cohorts') }}
),

levels as (
    select * from {{ source('reference', 'marker_levels') }}
),

cohort_rows as (
    select
        programme_id,
        cast(cohort as varchar) as cohort,
        cohort as cohort_number
    from cohorts
    union all
    -- One `all` row per programme with a cohort.
    select distinct
        programme_id,
        cast('all' as varchar) as cohort,
        cast(null as bigint) as cohort_number
    from cohorts
),

grid as (
    select
        cohort_rows.programme_id,
        cohort_rows.cohort,
        cohort_rows.cohort_number,
        levels.level,
        cast(levels.level_order as bigint) as level_order
    from cohort_rows
    cross join levels
),

by_cohort as (
    select
        programme_id,
        cast(cohort as varchar) as cohort,
        level,
        count(*) as markers,
        count(case when is_achieved then 1 end) as achieved_n
    from markers
    group by programme_id, cohort, level
),

across_cohorts as (
    select
        programme_id,
        cast('all' as varchar) as cohort,
        level,
        count(*) as markers,
        count(case when is_achieved then 1 end) as achieved_n
    from markers
    group by programme_id, level
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
        grid.level,
        grid.level_order,
        coalesce(counts.markers, 0) as markers,
        coalesce(counts.achieved_n, 0) as achieved_n
    from grid
    left join counts
        on grid.programme_id = counts.programme_id
        and grid.cohort = counts.cohort
        and grid.level = counts.level
)

select * from final
