with

items as (
    select * from {{ ref('stg_survey__items') }}
),

final as (
    select
        programme_id,
        item_id,
        section,
        statement,
        scale,
        item_order
    from items
)

select * from final
