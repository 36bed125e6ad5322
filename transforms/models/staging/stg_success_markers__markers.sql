with

source as (
    select * from {{ source('raw', 'success_markers') }}
),

labels as (
    select field, label_key, value
    from {{ ref('label_dictionary') }}
),

final as (
    select
        source.participant_key,
        domains.value as domain,
        source.outcome_no,
        levels.value as level,
        midpoint_statuses.value as midpoint_status,
        final_statuses.value as final_status,
        source.source_file,
        source.source_sheet,
        source.source_row
    from source
    left join labels as domains
        on domains.field = 'domain'
        and {{ label_key('source.domain') }} = domains.label_key
    left join labels as levels
        on levels.field = 'level'
        and {{ label_key('source.level') }} = levels.label_key
    left join labels as midpoint_statuses
        on midpoint_statuses.field = 'status'
        and {{ label_key('source.midpoint_status') }} = midpoint_statuses.label_key
    left join labels as final_statuses
        on final_statuses.field = 'status'
        and {{ label_key('source.final_status') }} = final_statuses.label_key
)

select * from final
