{#- Plain schema names (staging, marts, ...) rather than dbt's <target>_<custom>: analysts
    query `marts.mart_domain_rates`, and there is one target. On the PostgreSQL team
    warehouse a programme's run builds in schemas of its own, `build_<programme_id>_<layer>`
    (orchestration/lib/postgres_layout.py), which the pipeline passes as the var
    `schema_prefix`; the sources (_sources.yml) read the same prefix. Unset: plain names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ var('schema_prefix', '') }}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
