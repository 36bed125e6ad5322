with

participants as (
    select * from {{ ref('stg_roster__participants') }}
),

responses as (
    select * from {{ ref('int_survey__latest_responses') }}
),

cohort_sizes as (
    select
        programme_id,
        cohort,
        count(*) as participants,
        min(participant_type) as first_type,
        max(participant_type) as last_type
    from participants
    group by programme_id, cohort
),

respondents as (
    select
        programme_id,
        cohort,
        count(*) as survey_respondents
    from responses
    group by programme_id, cohort
),

final as (
    select
        cohort_sizes.programme_id,
        cohort_sizes.cohort,
        -- A cohort is usually of one type; a mixed roster is shown, not hidden.
        case
            when cohort_sizes.first_type = cohort_sizes.last_type then cohort_sizes.first_type
            else cast('mixed' as varchar)
        end as participant_type,
        cohort_sizes.participants,
        coalesce(respondents.survey_respondents, 0) as survey_respondents
    from cohort_sizes
    left join respondents
        on cohort_sizes.programme_id = respondents.programme_id
        and cohort_sizes.cohort = respondents.cohort
)

select * from final
