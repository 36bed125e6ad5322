-- Grain: one row per cohort, domain and set of achieved levels that is not nested: a
-- participant achieved a marker at a higher level but none at a lower one there (e.g.
-- `very_ambitious` without `realistic`). Counted as the contract says (highest level
-- reached), and listed for review as a quality warning: counts only, no participants.
-- Only patterns that occur have a row.
with

markers as (
    select * from {{ ref('fct_success_markers') }}
),

levels as (
    select * from {{ source('reference', 'marker_levels') }}
),

achieved_levels as (
    select distinct
        programme_id,
        participant_key,
        cohort,
        domain,
        level,
        level_order
    from markers
    where is_achieved
),

-- Each participant's achieved levels in a domain, listed, with the highest among them:
-- one aggregate, so that no step joins the participants back to themselves (on
-- PostgreSQL, whose estimates of grouped CTEs are rough, such a join became a nested
-- loop over every pair of participants: minutes at x1000).
achieved_level_lists as (
    select
        programme_id,
        participant_key,
        cohort,
        domain,
        max(level_order) as highest_level_order,
        string_agg(level, ', ' order by level_order) as achieved_levels
    from achieved_levels
    group by programme_id, participant_key, cohort, domain
),

levels_below_highest as (
    select
        achieved_level_lists.programme_id,
        achieved_level_lists.participant_key,
        achieved_level_lists.domain,
        levels.level,
        levels.level_order
    from achieved_level_lists
    inner join levels
        on levels.level_order < achieved_level_lists.highest_level_order
),

missed_levels as (
    select
        levels_below_highest.programme_id,
        levels_below_highest.participant_key,
        levels_below_highest.domain,
        levels_below_highest.level,
        levels_below_highest.level_order
    from levels_below_highest
    left join achieved_levels
        on levels_below_highest.programme_id = achieved_levels.programme_id
        and levels_below_highest.participant_key = achieved_levels.participant_key
        and levels_below_highest.domain = achieved_levels.domain
        and levels_below_highest.level = achieved_levels.level
    where achieved_levels.level is null
),

missed_level_lists as (
    select
        programme_id,
        participant_key,
        domain,
        string_agg(level, ', ' order by level_order) as missed_levels
    from missed_levels
    group by programme_id, participant_key, domain
),

participant_patterns as (
    select
        achieved_level_lists.programme_id,
        achieved_level_lists.cohort,
        achieved_level_lists.domain,
        achieved_level_lists.highest_level_order,
        achieved_level_lists.achieved_levels,
        missed_level_lists.missed_levels
    from achieved_level_lists
    -- Inner join: a participant who missed no level below their highest is nested.
    inner join missed_level_lists
        on achieved_level_lists.programme_id = missed_level_lists.programme_id
        and achieved_level_lists.participant_key = missed_level_lists.participant_key
        and achieved_level_lists.domain = missed_level_lists.domain
),

patterns as (
    select
        programme_id,
        cohort,
        domain,
        highest_level_order,
        achieved_levels,
        missed_levels,
        count(*) as participants_n
    from participant_patterns
    group by programme_id, cohort, domain, highest_level_order, achieved_levels, missed_levels
),

final as (
    select
        patterns.programme_id,
        cast(patterns.cohort as varchar) as cohort,
        patterns.cohort as cohort_number,
        patterns.domain,
        levels.level as highest_level,
        cast(patterns.highest_level_order as bigint) as highest_level_order,
        cast(patterns.achieved_levels as varchar) as achieved_levels,
        cast(patterns.missed_levels as varchar) as missed_levels,
        patterns.participants_n
    from patterns
    inner join levels
        on patterns.highest_level_order = levels.level_order
)

select * from final
