{#- Plain schema names (staging, marts, ...) rather than dbt's <target>_<custom>: analysts
    query `marts.mart_domain_rates`, and there is one target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
