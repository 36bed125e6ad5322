with

source as (
    select * from {{ source('raw', 'unanticipated_outcomes') }}
),

labels as (
    select field, label_key, value
    from {{ ref('label_dictionary') }}
),

final as (
    select
        source.participant_key,
        domains.value as domain,
        reviews.value as review,
        source.source_file,
        source.source_sheet,
        source.source_row
    from source
    {{ join_label('labels', 'domain', 'source', 'domain', 'domains') }}
    {{ join_label('labels', 'review', 'source', 'review', 'reviews') }}
)

select * from final
