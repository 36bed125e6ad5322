{#- Join one label column to its canonical value in the label dictionary. `labels` is the
    model's CTE over ref('label_dictionary'); an unknown label yields null, which the
    column's not_null / accepted_values tests then catch. -#}
{% macro join_label(labels, field, column, alias) -%}
    left join {{ labels }} as {{ alias }}
        on {{ alias }}.field = '{{ field }}'
        and {{ label_key(column) }} = {{ alias }}.label_key
{%- endmacro %}
