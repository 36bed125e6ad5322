{#- Rows with a null in any of these columns fail the test. One test per model rather than
    dbt's `not_null` on each column: every test is a node of dbt's graph and a read of its
    model, and the staging and intermediate models are views over the raw tables. 45 column
    tests became 8: about 1.5 s less of dbt's CPU in a sample build (docs/performance.md). -#}
{% test not_null_columns(model, columns) %}
select *
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} is null{% if not loop.last %} or {% endif %}
    {% endfor %}
{% endtest %}
