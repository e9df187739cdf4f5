{#- One row per month start between two dates (inclusive), column `month`.
    Engine-specific: DuckDB has generate_series over dates; Spark explodes sequence(). -#}
{% macro month_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('month_series')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__month_series(start_date, end_date) -%}
    select cast(month as date) as month
    from (
        select unnest(generate_series(
            cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 month
        )) as month
    ) as series
{%- endmacro %}

{% macro spark__month_series(start_date, end_date) -%}
    select cast(month as date) as month
    from (
        select explode(sequence(
            cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 month
        )) as month
    ) as series
{%- endmacro %}
