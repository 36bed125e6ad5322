{#- The lookup key of a label: case, hyphens, underscores and spacing do not matter.
    Mirrors orchestration/lib/text.py:label_key, which ingest uses to validate labels
    against the same dictionary; a unit test keeps the two in step. Portable: DuckDB and
    PostgreSQL both take the 'g' flag. -#}
{% macro label_key(column) -%}
    trim(regexp_replace(lower({{ column }}), '[-_ ]+', ' ', 'g'))
{%- endmacro %}
