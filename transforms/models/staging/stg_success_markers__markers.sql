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
    {{ join_label('labels', 'domain', 'source', 'domain', 'domains') }}
    {{ join_label('labels', 'level', 'source', 'level', 'levels') }}
    {{ join_label('labels', 'status', 'source', 'midpoint_status', 'midpoint_statuses') }}
    {{ join_label('labels', 'status', 'source', 'final_status', 'final_statuses') }}
)

select * from final
