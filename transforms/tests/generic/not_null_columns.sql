{#- Rows with a null in any of these columns fail the test. One test per model rather than
    dbt's `not_null` on each column: every test re-reads its model, and the staging and
    intermediate models are views, so each column's test re-ran the view over its raw table
    (x1000: 45 such tests, 5.6 s of dbt's node time; docs/performance.md). -#}
{% test not_null_columns(model, columns) %}
select *
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} is null{% if not loop.last %} or {% endif %}
    {% endfor %}
{% endtest %}
