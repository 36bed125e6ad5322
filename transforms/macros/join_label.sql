{#- Join one label column of `source` (a CTE of the model) to its canonical value in the
    label dictionary. `labels` is the model's CTE over ref('label_dictionary'); an unknown
    label yields null, which the column's not_null / accepted_values tests then catch.
    Each distinct label is keyed once, not each row: at x1000 the key's regexp on every
    one of ~950,000 answers was a quarter of stg_survey__answers' build (same rows). -#}
{% macro join_label(labels, field, source, column, alias) -%}
    left join (
        select
            distinct_labels.label,
            {{ labels }}.value
        from (select distinct {{ column }} as label from {{ source }}) as distinct_labels
        inner join {{ labels }}
            on {{ labels }}.field = '{{ field }}'
            and {{ label_key('distinct_labels.label') }} = {{ labels }}.label_key
    ) as {{ alias }}
        on {{ source }}.{{ column }} = {{ alias }}.label
{%- endmacro %}
