{#- One output row per item of a delimited string, as a select-list expression:
    `select id, {{ split_to_rows('themes', ';') }} as theme from t`.
    Engine-specific: DuckDB unnests string_split(); Spark explodes split() (a regex there, so
    the delimiter is escaped). -#}
{% macro split_to_rows(column, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows')(column, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(column, delimiter) -%}
    unnest(string_split({{ column }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__split_to_rows(column, delimiter) -%}
    explode(split({{ column }}, '\\Q{{ delimiter }}\\E'))
{%- endmacro %}
