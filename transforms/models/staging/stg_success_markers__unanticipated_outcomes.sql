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
    left join labels as domains
        on domains.field = 'domain'
        and {{ label_key('source.domain') }} = domains.label_key
    left join labels as reviews
        on reviews.field = 'review'
        and {{ label_key('source.review') }} = reviews.label_key
)

select * from final
