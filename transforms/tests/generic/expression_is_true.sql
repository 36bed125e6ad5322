{#- Rows for which the expression is false fail the test (dbt_utils is unreachable here). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
