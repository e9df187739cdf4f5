{#- Whole days / months added to a date, returning a date.
    dbt.dateadd would do on DuckDB, but dbt-spark's version round-trips through unix seconds
    and to_timestamp(), which fails (or yields null) when Spark runs with TIMESTAMP_NTZ as this
    project's Spark profile does; Spark's own date_add / add_months are exact. -#}
{% macro experience_add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('experience_add_days')(date_expression, days)) }}
{%- endmacro %}

{% macro default__experience_add_days(date_expression, days) -%}
    cast({{ dbt.dateadd('day', days, date_expression) }} as date)
{%- endmacro %}

{% macro spark__experience_add_days(date_expression, days) -%}
    date_add(cast({{ date_expression }} as date), {{ days }})
{%- endmacro %}

{% macro experience_add_months(date_expression, months) -%}
    {{ return(adapter.dispatch('experience_add_months')(date_expression, months)) }}
{%- endmacro %}

{% macro default__experience_add_months(date_expression, months) -%}
    cast({{ dbt.dateadd('month', months, date_expression) }} as date)
{%- endmacro %}

{% macro spark__experience_add_months(date_expression, months) -%}
    add_months(cast({{ date_expression }} as date), {{ months }})
{%- endmacro %}
